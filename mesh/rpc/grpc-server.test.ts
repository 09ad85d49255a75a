import assert from "node:assert/strict";
import { once } from "node:events";
import * as http2 from "node:http2";
import { after, before, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { GetItemRequestSchema, ItemService, type GetItemResponse } from "../../gen/meshtest/v1/sample_pb.js";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { createGrpcServer, type GrpcServer } from "./grpc-server.js";
import { wrapService } from "./handler-chain.js";
import { StreamService, captureLogs, connectError, grpcClient, type GrpcTestClient, grpcUnary, itemImpl, streamImpl, eventually } from "./serving-fixtures.js";

const { logger, lines } = captureLogs();
const metrics = createMetrics("test", { processMetrics: false });
const chain = { logger, metrics };
const aborts: string[] = []; // why the "wait" handler's signal fired

let server: GrpcServer;
let address: string;
let store: GrpcTestClient;
let streams: GrpcTestClient;

before(async () => {
  const impl = itemImpl(logger);
  server = createGrpcServer({
    logger,
    services: [
      {
        service: ItemService,
        impl: wrapService(ItemService, {
          ...impl,
          async getItem(req, ctx) {
            if (req.id !== "wait") return impl.getItem!(req, ctx);
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            aborts.push(ConnectError.from(ctx.signal.reason).code === Code.DeadlineExceeded ? "deadline" : "cancelled");
            throw ctx.signal.reason;
          },
        }, chain) as never,
      },
      { service: StreamService, impl: wrapService(StreamService, streamImpl() as never, chain) },
    ],
  });
  address = `127.0.0.1:${await server.listen("127.0.0.1", 0)}`;
  store = grpcClient(ItemService, address);
  streams = grpcClient(StreamService, address);
});

after(async () => {
  store.close();
  streams.close();
  await server.shutdown(1000);
});

test("unary: request metadata reaches the handler's context; response headers come back", async () => {
  const md = new grpc.Metadata();
  md.set("x-correlation-id", "corr-grpc");
  const headers = new Promise<grpc.Metadata>((resolve) => {
    const call = store.getItem({ id: "rose" }, md, () => undefined) as unknown as grpc.ClientUnaryCall;
    call.on("metadata", resolve);
  });
  const res = (await grpcUnary<GetItemResponse>(store, "getItem", { id: "rose" }, md)) as GetItemResponse;
  assert.match(res.item!.name, /^corr-grpc\|[0-9a-f]{32}$/);
  assert.deepEqual((await headers).get("x-served-by"), ["store"]);
});

test("client-, server- and bidi-streaming over grpc-js", async () => {
  const collected = await new Promise<{ items: { id: string }[] }>((resolve, reject) => {
    const call = streams.collectIds((err: Error | null, res: { items: { id: string }[] }) => (err ? reject(err) : resolve(res))) as unknown as grpc.ClientWritableStream<object>;
    call.write({ id: "a" });
    call.write({ id: "b" });
    call.end();
  });
  assert.deepEqual(collected.items.map((f) => f.id), ["a", "b"]);

  const counted: string[] = [];
  for await (const r of streams.countTo({ id: "3" }) as unknown as AsyncIterable<GetItemResponse>) counted.push(r.item!.id);
  assert.deepEqual(counted, ["1", "2", "3"]);

  const bidi = streams.echoEach() as unknown as grpc.ClientDuplexStream<object, GetItemResponse>;
  bidi.write({ id: "x" });
  bidi.write({ id: "y" });
  bidi.end();
  const echoed: string[] = [];
  for await (const r of bidi) echoed.push(r.item!.id);
  assert.deepEqual(echoed, ["x", "y"]);

  const failing: string[] = [];
  const err = await (async () => {
    for await (const r of streams.countTo({ id: "fail" }) as unknown as AsyncIterable<GetItemResponse>) failing.push(r.item!.id);
  })().catch((e) => e);
  assert.deepEqual(failing, ["1"]);
  assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
});

test("errors: same code and message, details in grpc-status-details-bin", async () => {
  const err = (await grpcUnary(store, "getItem", { id: "bad" })) as grpc.ServiceError;
  assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(err.details, "id: must not be bad");
  const [bin] = err.metadata.get("grpc-status-details-bin") as Buffer[];
  const status = fromBinary(StatusSchema, bin);
  assert.equal(status.code, Code.InvalidArgument);
  assert.equal(status.details[0].typeUrl, "type.googleapis.com/google.rpc.BadRequest");
  assert.deepEqual(anyUnpack(status.details[0], BadRequestSchema)?.fieldViolations.map((v) => v.field), ["id"]);

  const internal = (await grpcUnary(store, "getItem", { id: "boom" })) as grpc.ServiceError;
  assert.equal(internal.code, grpc.status.INTERNAL);
  assert.equal(internal.details, "internal error");
  assert.ok(lines.some((l) => l.level === "error" && (l.error as { message: string }).message.includes("kaboom")));

  const unimplemented = (await grpcUnary(store, "addItem", { id: "x" })) as grpc.ServiceError;
  assert.equal(unimplemented.code, grpc.status.UNIMPLEMENTED);
});

test("a connect-node gRPC client reads the details with findDetails", async () => {
  const client = createClient(ItemService, createGrpcTransport({ baseUrl: `http://${address}` }));
  const err = await client.getItem({ id: "bad" }).then(() => assert.fail("expected an error"), (e) => ConnectError.from(e));
  assert.equal(err.code, Code.InvalidArgument);
  assert.deepEqual(err.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.description, "must not be bad");
  assert.equal((await client.getItem({ id: "tulip" })).item?.id, "tulip");
});

test("business errors go out Trailers-Only (status in the first and only HEADERS frame)", async () => {
  const session = http2.connect(`http://${address}`);
  try {
    const call = async (id: string) => {
      const body = toBinary(GetItemRequestSchema, create(GetItemRequestSchema, { id }));
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      frame.set(body, 5);
      const req = session.request({ ":method": "POST", ":path": "/meshtest.v1.ItemService/GetItem", "content-type": "application/grpc", te: "trailers" });
      req.end(frame);
      const [headers, flags] = (await once(req, "response")) as [http2.IncomingHttpHeaders, number];
      req.resume();
      await once(req, "close");
      return { headers, endStream: (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 };
    };
    const refused = await call("refused");
    assert.equal(refused.headers[":status"], 200);
    assert.equal(refused.headers["grpc-status"], String(Code.FailedPrecondition));
    assert.ok(refused.headers["grpc-status-details-bin"]);
    assert.equal(refused.endStream, true);
    const ok = await call("rose");
    assert.equal(ok.headers["grpc-status"], undefined);
  } finally {
    session.close();
  }
});

test("the handler's signal fires at the gRPC deadline and when the caller cancels", async () => {
  const late = (await new Promise<unknown>((resolve) => {
    store.getItem({ id: "wait" }, new grpc.Metadata(), { deadline: Date.now() + 100 }, (err: unknown) => resolve(err));
  })) as grpc.ServiceError;
  assert.equal(late.code, grpc.status.DEADLINE_EXCEEDED);
  const call = store.getItem({ id: "wait" }, () => undefined) as unknown as grpc.ClientUnaryCall;
  setTimeout(() => call.cancel(), 50);
  while (aborts.length < 2) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(aborts.sort(), ["cancelled", "deadline"]);
});

test("shutdown lets the in-flight call finish, then refuses new connections", async () => {
  const logs = captureLogs();
  const own = createGrpcServer({ logger, services: [{ service: ItemService, impl: wrapService(ItemService, itemImpl(logs.logger), chain) as never }] });
  const port = await own.listen("127.0.0.1", 0);
  const client = grpcClient(ItemService, `127.0.0.1:${port}`);
  const slow = grpcUnary<GetItemResponse>(client, "getItem", { id: "slow" });
  await eventually("the call to be in the handler", () => logs.lines.some((l) => l.msg === "getting item"), 5000);
  await own.shutdown(5000);
  assert.equal(((await slow) as GetItemResponse).item?.id, "slow");
  client.close();
  assert.equal(await connectError(port), "ECONNREFUSED");
});
