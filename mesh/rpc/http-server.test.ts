import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { PreconditionFailureSchema } from "../../gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { wrapService } from "./handler-chain.js";
import { createHealth } from "./health.js";
import { createHttpServer, type HttpServer } from "./http-server.js";
import { createReadiness } from "./readiness.js";
import { captureLogs, sampleValue, itemImpl } from "./serving-fixtures.js";
import { curl } from "../testing/rpc-outcomes.js";

const { logger } = captureLogs();
const metrics = createMetrics("test", { processMetrics: false });
const readiness = createReadiness(["database"]);
let server: HttpServer;
let baseUrl: string;

/** Status code and body of a GET over HTTP/1.1. */
const get = async (path: string) => {
  const out = await curl("-w", "\n%{http_code} %{http_version}", `${baseUrl}${path}`);
  const [, status, version] = /\n(\d+) ([\d.]+)$/.exec(out)!;
  return { status: Number(status), version, body: out.slice(0, out.lastIndexOf("\n")) };
};

before(async () => {
  server = createHttpServer({
    services: [
      { service: ItemService, impl: wrapService(ItemService, itemImpl(logger), { logger, metrics }) as never },
      { service: Health, impl: wrapService(Health, createHealth({ readiness, services: [ItemService.typeName] }), { logger, metrics }) as never },
    ],
    readiness,
    metrics,
    logger,
  });
  baseUrl = `http://127.0.0.1:${await server.listen("127.0.0.1", 0)}`;
});

after(() => server.close(1000));

test("/livez answers ok; /readyz follows readiness 503 → 200 → 503 with the report", async () => {
  assert.deepEqual(await get("/livez"), { status: 200, version: "1.1", body: '{"status":"ok"}' });
  const before = await get("/readyz");
  assert.equal(before.status, 503);
  assert.deepEqual(JSON.parse(before.body), { ready: false, checks: { database: { ok: false, detail: "not checked yet" } } });
  readiness.mark("database", true);
  const ready = await get("/readyz");
  assert.equal(ready.status, 200);
  assert.deepEqual(JSON.parse(ready.body), { ready: true, checks: { database: { ok: true } } });
  assert.equal((await get("/readyz?verbose=1")).status, 200);
});

for (const [name, transport] of [
  ["Connect over HTTP/1.1", () => createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["Connect over HTTP/2", () => createConnectTransport({ baseUrl, httpVersion: "2" })],
  ["gRPC-Web over HTTP/1.1", () => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
  ["gRPC over h2c", () => createGrpcTransport({ baseUrl })],
] as Array<[string, () => Transport]>) {
  test(`${name}: answers, and errors keep code, message and details`, async () => {
    const client = createClient(ItemService, transport());
    const res = await client.getItem({ id: "rose" }, { headers: { "x-correlation-id": "corr-http" } });
    assert.match(res.item!.name, /^corr-http\|/);
    const err = await client.getItem({ id: "refused" }).then(() => assert.fail("expected an error"), (e) => ConnectError.from(e));
    assert.equal(err.code, Code.FailedPrecondition);
    assert.equal(err.rawMessage, "out of stock");
    assert.equal(err.findDetails(PreconditionFailureSchema)[0]?.violations[0]?.type, "OUT_OF_STOCK");
    const internal = await client.getItem({ id: "boom" }).then(() => assert.fail("expected an error"), (e) => ConnectError.from(e));
    assert.equal(internal.code, Code.Internal);
    assert.equal(internal.rawMessage, "internal error");
    const health = await createClient(Health, transport()).check({ service: ItemService.typeName });
    assert.equal(health.status, Status.SERVING);
  });
}

test("curl speaks Connect JSON over HTTP/1.1, and gets JSON errors", async () => {
  const post = (id: string) => curl("-X", "POST", "-H", "content-type: application/json", "-d", JSON.stringify({ id }), `${baseUrl}/meshtest.v1.ItemService/GetItem`);
  assert.equal(JSON.parse(await post("tulip")).item.id, "tulip");
  const err = JSON.parse(await post("missing"));
  assert.equal(err.code, "not_found");
  assert.equal(err.details[0].type, "google.rpc.ResourceInfo");
  assert.equal((await get("/no.Such/Method")).status, 404);
});

test("/metrics shows mesh_rpc_requests_total by method, code and protocol", async () => {
  const { status, body } = await get("/metrics");
  assert.equal(status, 200);
  const count = (code: string, protocol: string) =>
    sampleValue(body, "mesh_rpc_requests_total", { method: "/meshtest.v1.ItemService/GetItem", code, protocol, service: "test" });
  assert.equal(count("OK", "connect"), 3); // two Connect transports and curl
  assert.equal(count("FailedPrecondition", "grpc-web"), 1);
  assert.equal(count("Internal", "grpc"), 1);
  assert.equal(count("NotFound", "connect"), 1);
  assert.match(body, /^mesh_rpc_duration_seconds_bucket\{.*method="\/meshtest.v1.ItemService\/GetItem"/m);
});

test("/readyz turns 503 for good once shutdown starts", async () => {
  readiness.startShutdown();
  const res = await get("/readyz");
  assert.equal(res.status, 503);
  assert.deepEqual(JSON.parse(res.body).checks.shutdown, { ok: false, detail: "shutting down" });
});
