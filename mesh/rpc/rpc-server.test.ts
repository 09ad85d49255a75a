import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { ItemService, type GetItemResponse } from "../../gen/meshtest/v1/sample_pb.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { Health, HealthCheckResponse_ServingStatus as Status, type HealthCheckResponse } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection, type ServerReflectionResponse } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { contextFromHeaders, runInContext } from "../context/call-context.js";
import { createLogger } from "../log/logger.js";
import { createClient as createMeshClient } from "./client.js";
import { createReadiness } from "./readiness.js";
import { createResiliencePolicy } from "./resilience.js";
import type { ClientProtocol } from "./transport.js";
import { createRpcServer, type RpcServer, type RpcServerPorts } from "./rpc-server.js";
import { StreamService, captureLogs, connectError, grpcClient, grpcUnary, sampleValue, itemImpl, streamImpl, eventually } from "./serving-fixtures.js";

const traceId = "0af7651916cd43dd8448eb211c80319c";
const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
const { logger, lines } = captureLogs("store");
const metrics = createMetrics("store", { processMetrics: false });
const readiness = createReadiness(["database"]);
let server: RpcServer;
let ports: RpcServerPorts;
const grpcAddress = () => `127.0.0.1:${ports.grpcPort}`;
const httpUrl = () => `http://127.0.0.1:${ports.httpPort}`;

before(async () => {
  server = createRpcServer({
    services: [
      { service: ItemService, impl: itemImpl(logger) as never },
      { service: StreamService, impl: streamImpl() as never },
    ],
    logger, metrics, readiness, host: "127.0.0.1", grpcPort: 0, httpPort: 0,
  });
  ports = await server.start();
});

after(() => server.stop(1000));

// The runtime's own client, as one service calls another; the headers become its call context.
function viaMesh(address: string, protocol: ClientProtocol) {
  const silent = createLogger({ service: "caller", level: "error", write: () => {} });
  const callerMetrics = createMetrics("caller", { processMetrics: false });
  const policy = createResiliencePolicy({ dependency: "store", logger: silent, metrics: callerMetrics, retries: 0 });
  const passOn = (error: ConnectError): never => {
    throw error;
  };
  return async (id: string, headers: Record<string, string>) => {
    const client = createMeshClient(ItemService, { dependency: "store", address, protocol, policy, logger: silent, metrics: callerMetrics });
    const context = contextFromHeaders((name) => headers[name]);
    try {
      return await runInContext(context, () => client.getItem({ id }, { fallback: passOn }));
    } finally {
      client.close();
    }
  };
}

/** The same call through every client and port: [name, getItem(id, headers)]. */
function everyWay(): Array<[string, (id: string, headers: Record<string, string>) => Promise<GetItemResponse>]> {
  const viaConnect = (t: Transport) => (id: string, headers: Record<string, string>) => createClient(ItemService, t).getItem({ id }, { headers });
  const viaGrpcJs = (address: string) => async (id: string, headers: Record<string, string>) => {
    const client = grpcClient(ItemService, address);
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    const res = await grpcUnary<GetItemResponse>(client, "getItem", { id }, md);
    client.close();
    if (res instanceof Error) throw ConnectError.from(Object.assign(new ConnectError(res.details, res.code as number, res.metadata.toHttp2Headers() as never)));
    return res;
  };
  return [
    ["grpc-js client → gRPC port", viaGrpcJs(grpcAddress())],
    ["connect gRPC transport → gRPC port", viaConnect(createGrpcTransport({ baseUrl: `http://${grpcAddress()}` }))],
    ["grpc-js client → HTTP port (h2c)", viaGrpcJs(`127.0.0.1:${ports.httpPort}`)],
    ["Connect HTTP/1.1 → HTTP port", viaConnect(createConnectTransport({ baseUrl: httpUrl(), httpVersion: "1.1" }))],
    ["Connect HTTP/2 → HTTP port", viaConnect(createConnectTransport({ baseUrl: httpUrl(), httpVersion: "2" }))],
    ["Connect binary HTTP/1.1 → HTTP port", viaConnect(createConnectTransport({ baseUrl: httpUrl(), httpVersion: "1.1", useBinaryFormat: true }))],
    ["Connect binary HTTP/2 → HTTP port", viaConnect(createConnectTransport({ baseUrl: httpUrl(), httpVersion: "2", useBinaryFormat: true }))],
    ["mesh client (Connect) → HTTP port", viaMesh(`127.0.0.1:${ports.httpPort}`, "connect")],
    ["mesh client (gRPC) → gRPC port", viaMesh(grpcAddress(), "grpc")],
    ["gRPC-Web → HTTP port", viaConnect(createGrpcWebTransport({ baseUrl: httpUrl(), httpVersion: "1.1" }))],
    ["gRPC → HTTP port", viaConnect(createGrpcTransport({ baseUrl: httpUrl() }))],
  ];
}

test("one handler, every protocol and port: same answer, caller's correlation id and trace in context and logs", async () => {
  for (const [i, [name, getItem]] of everyWay().entries()) {
    const correlationId = `corr-${i}`;
    const res = await getItem("rose", { "x-correlation-id": correlationId, traceparent });
    assert.equal(res.item?.name, `${correlationId}|${traceId}`, name);
    const line = lines.find((l) => l.msg === "getting item" && l.correlationId === correlationId);
    assert.equal(line?.traceId, traceId, name);
  }
});

test("errors look the same on every port: code, message, details; unknown errors are INTERNAL with the cause logged", async () => {
  for (const [i, [name, getItem]] of everyWay().entries()) {
    const bad = await getItem("bad", {}).then(() => assert.fail(name), (e) => ConnectError.from(e));
    assert.equal(bad.code, Code.InvalidArgument, name);
    // decodeURIComponent: connect-node percent-encodes grpc-message fully, grpc-js decodes with decodeURI (leaves "%3A").
    assert.equal(decodeURIComponent(bad.rawMessage), "id: must not be bad", name);
    if (!name.startsWith("grpc-js")) assert.equal(bad.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field, "id", name);
    const boom = await getItem("boom", { "x-correlation-id": `boom-${i}` }).then(() => assert.fail(name), (e) => ConnectError.from(e));
    assert.equal(boom.code, Code.Internal, name);
    assert.equal(boom.rawMessage, "internal error", name);
    const logged = lines.find((l) => l.level === "error" && l.correlationId === `boom-${i}`);
    assert.match((logged?.error as { stack: string }).stack, /kaboom/, name);
  }
  // A grpc-js client decodes the details itself from grpc-status-details-bin, on either port.
  for (const port of [ports.grpcPort, ports.httpPort]) {
    const client = grpcClient(ItemService, `127.0.0.1:${port}`);
    const err = (await grpcUnary(client, "getItem", { id: "bad" })) as grpc.ServiceError;
    client.close();
    const status = fromBinary(StatusSchema, err.metadata.get("grpc-status-details-bin")[0] as Buffer);
    assert.equal(anyUnpack(status.details[0], BadRequestSchema)?.fieldViolations[0]?.description, "must not be bad");
  }
});

test("/metrics counts calls of both ports by method, code and protocol", async () => {
  const { stdout } = await promisify(execFile)("curl", ["-s", `${httpUrl()}/metrics`]);
  const count = (code: string, protocol: string) =>
    sampleValue(stdout, "mesh_rpc_requests_total", { method: "/meshtest.v1.ItemService/GetItem", code, protocol });
  assert.ok((count("OK", "grpc") ?? 0) >= 4);
  assert.ok((count("InvalidArgument", "grpc") ?? 0) >= 4);
  assert.equal(count("OK", "connect"), 5); // JSON and binary over HTTP/1.1 and HTTP/2, and the mesh client
  assert.equal(count("Internal", "grpc-web"), 1);
});

test("reflection on both ports: list services and the file containing a symbol", async () => {
  for (const port of [ports.grpcPort, ports.httpPort]) {
    const client = grpcClient(ServerReflection, `127.0.0.1:${port}`);
    const call = client.serverReflectionInfo() as grpc.ClientDuplexStream<object, ServerReflectionResponse>;
    call.write({ messageRequest: { case: "listServices", value: "" } });
    call.write({ messageRequest: { case: "fileContainingSymbol", value: "meshtest.v1.ItemService.GetItem" } });
    call.end();
    const replies: ServerReflectionResponse[] = [];
    for await (const r of call) replies.push(r);
    client.close();
    assert.deepEqual(replies[0].messageResponse.value && "service" in replies[0].messageResponse.value && replies[0].messageResponse.value.service.map((s) => s.name), [
      "meshtest.v1.ItemService", "mesh.test.v1.StreamService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
    const files = replies[1].messageResponse.case === "fileDescriptorResponse" ? replies[1].messageResponse.value.fileDescriptorProto : [];
    assert.equal(fromBinary(FileDescriptorProtoSchema, files[0]).name, "meshtest/v1/sample.proto");
  }
});

test("buf curl explores both ports through reflection v1 and v1alpha", async () => {
  const buf = join(process.cwd(), "node_modules", ".bin", "buf");
  for (const port of [ports.grpcPort, ports.httpPort]) {
    for (const reflect of ["grpc-v1", "grpc-v1alpha"]) {
      const bufCurl = async (...args: string[]) => (await promisify(execFile)(buf, [
        "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-protocol", reflect, ...args,
      ])).stdout;
      const where = `port ${port}, ${reflect}`;
      const services = (await bufCurl("--list-services", `http://127.0.0.1:${port}`)).split("\n");
      for (const name of ["meshtest.v1.ItemService", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]) {
        assert.ok(services.includes(name), `${where}: ${name} listed`);
      }
      // Calling a method needs its descriptors, found by symbol through the same reflection.
      const reply = await bufCurl("-d", '{"id": "rose"}', `http://127.0.0.1:${port}/meshtest.v1.ItemService/GetItem`);
      assert.equal(JSON.parse(reply).item.id, "rose", where);
    }
  }
});

test("health on both ports follows readiness; Watch pushes each change and the shutdown; graceful stop", async () => {
  const health = grpcClient(Health, grpcAddress());
  const check = async (service: string) => ((await grpcUnary<HealthCheckResponse>(health, "check", { service })) as HealthCheckResponse).status;
  const httpHealth = createClient(Health, createConnectTransport({ baseUrl: httpUrl(), httpVersion: "1.1" }));
  assert.equal(await check(""), Status.NOT_SERVING);
  assert.equal((await httpHealth.check({ service: "" })).status, Status.NOT_SERVING);
  const unknown = (await grpcUnary(health, "check", { service: "no.Such" })) as grpc.ServiceError;
  assert.equal(unknown.code, grpc.status.NOT_FOUND);

  const watched: Status[] = [];
  const watch = health.watch({ service: ItemService.typeName }) as grpc.ClientReadableStream<HealthCheckResponse>;
  const watchEnded = new Promise<void>((resolve) => watch.on("data", (r: HealthCheckResponse) => watched.push(r.status)).on("end", resolve).on("error", () => resolve()));
  await eventually("the first health status to be watched", () => watched.length === 1, 5000);
  readiness.mark("database", true);
  await eventually("the second health status to be watched", () => watched.length === 2, 5000);
  assert.equal(await check(ItemService.typeName), Status.SERVING);
  assert.equal((await httpHealth.check({ service: "" })).status, Status.SERVING);

  // Graceful stop: slow calls in flight on both ports finish; health goes NOT_SERVING; then both ports refuse.
  const grpcStore = grpcClient(ItemService, grpcAddress());
  const slowGrpc = grpcUnary<GetItemResponse>(grpcStore, "getItem", { id: "slow" });
  const slowHttp = createClient(ItemService, createConnectTransport({ baseUrl: httpUrl(), httpVersion: "2" })).getItem({ id: "slow" });
  await eventually("both slow calls to be in their handlers", () => lines.filter((l) => l.msg === "getting item" && (l as { id?: string }).id === "slow").length === 2, 5000);
  const stopped = server.stop(5000);
  await watchEnded;
  assert.deepEqual(watched, [Status.NOT_SERVING, Status.SERVING, Status.NOT_SERVING]);
  await stopped;
  assert.equal(((await slowGrpc) as GetItemResponse).item?.id, "slow");
  assert.equal((await slowHttp).item?.id, "slow");
  assert.equal(await connectError(ports.grpcPort), "ECONNREFUSED");
  assert.equal(await connectError(ports.httpPort), "ECONNREFUSED");
  health.close();
  grpcStore.close();
});
