import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { GetItemRequestSchema, ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { createMetrics } from "../telemetry/metrics.js";
import { codeLabel, wrapService } from "./handler-chain.js";
import { StreamService, captureLogs, itemImpl, streamImpl } from "./serving-fixtures.js";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

function handlerContext(method: DescMethod, headers: Record<string, string> = {}, protocolName = "connect"): HandlerContext {
  return createHandlerContext({
    service: method.parent, method, protocolName, requestMethod: "POST", url: `/${method.parent.typeName}/${method.name}`,
    requestHeader: headers,
  });
}

function setup() {
  const { logger, lines } = captureLogs();
  const metrics = createMetrics("test", { processMetrics: false });
  const store = wrapService(ItemService, itemImpl(logger), { logger, metrics });
  const streams = wrapService(StreamService, streamImpl() as never, { logger, metrics }) as unknown as Record<string, (input: unknown, ctx: HandlerContext) => never>;
  const count = async (method: string, code: string) =>
    (await metrics.rpcRequests.get()).values.find((v) => v.labels.method === method && v.labels.code === code)?.value ?? 0;
  return { lines, metrics, store, streams, count };
}

async function failure(fn: () => unknown): Promise<ConnectError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ConnectError, `not a ConnectError: ${e}`);
    return e;
  }
  throw new Error("expected a failure");
}

async function* iterate<T>(...items: T[]) {
  yield* items;
}

test("code labels are the canonical code names", () => {
  assert.equal(codeLabel(undefined), "OK");
  assert.equal(codeLabel(Code.InvalidArgument), "InvalidArgument");
  assert.equal(codeLabel(Code.DeadlineExceeded), "DeadlineExceeded");
});

test("unary: runs in the caller's context, logs carry it, metrics count it", async () => {
  const { lines, store, count, metrics } = setup();
  const ctx = handlerContext(ItemService.method.getItem, { "x-correlation-id": "order-7", traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  const res = await store.getItem(create(GetItemRequestSchema, { id: "rose" }), ctx);
  assert.equal(res.item?.name, `order-7|${traceId}`);
  const line = lines.find((l) => l.msg === "getting item");
  assert.equal(line?.correlationId, "order-7");
  assert.equal(line?.traceId, traceId);
  assert.notEqual(line?.spanId, "00f067aa0ba902b7"); // a new span of the caller's trace
  assert.equal(await count("/meshtest.v1.ItemService/GetItem", "OK"), 1);
  const histogram = await metrics.rpcDuration.get();
  assert.ok(histogram.values.some((v) => v.labels.protocol === "connect" && v.labels.code === "OK"));
});

test("a ConnectError passes through unchanged; client codes log at info, infrastructure codes at warn", async () => {
  const { lines, store, count } = setup();
  const ctx = handlerContext(ItemService.method.getItem);
  const notFound = await failure(() => store.getItem(create(GetItemRequestSchema, { id: "missing" }), ctx));
  assert.equal(notFound.code, Code.NotFound);
  assert.equal(notFound.details.length, 1);
  const down = await failure(() => store.getItem(create(GetItemRequestSchema, { id: "down" }), ctx));
  assert.equal(down.code, Code.Unavailable);
  assert.deepEqual(lines.filter((l) => l.msg !== "getting item").map((l) => [l.level, l.code]), [["info", "NotFound"], ["warn", "Unavailable"]]);
  assert.equal(await count("/meshtest.v1.ItemService/GetItem", "NotFound"), 1);
  assert.equal(await count("/meshtest.v1.ItemService/GetItem", "Unavailable"), 1);
});

test("an unknown error becomes INTERNAL 'internal error'; the cause is logged with its stack, never sent", async () => {
  const { lines, store, count } = setup();
  const err = await failure(() => store.getItem(create(GetItemRequestSchema, { id: "boom" }), handlerContext(ItemService.method.getItem)));
  assert.equal(err.code, Code.Internal);
  assert.equal(err.rawMessage, "internal error");
  assert.doesNotMatch(err.message, /kaboom/);
  const line = lines.find((l) => l.level === "error");
  const logged = line?.error as { message: string; stack: string };
  assert.equal(logged.message, "kaboom: secret connection string");
  assert.match(logged.stack, /serving-fixtures/);
  assert.equal(await count("/meshtest.v1.ItemService/GetItem", "Internal"), 1);
});

test("a missing method answers UNIMPLEMENTED", async () => {
  const { store, count } = setup();
  const err = await failure(() => store.addItem({} as never, handlerContext(ItemService.method.addItem)));
  assert.equal(err.code, Code.Unimplemented);
  assert.equal(await count("/meshtest.v1.ItemService/AddItem", "Unimplemented"), 1);
});

test("client-, server- and bidi-streaming run in the caller's context", async () => {
  const { streams, count } = setup();
  const m = StreamService.methods;
  const headers = { "x-correlation-id": "c-1", traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
  const req = (id: string) => create(GetItemRequestSchema, { id });

  const collected = (await streams.collectIds(iterate(req("a"), req("b")), handlerContext(m[0], headers))) as { items: { id: string; name: string }[] };
  assert.deepEqual(collected.items.map((f) => f.name), [`c-1|${traceId}`, `c-1|${traceId}`]);

  const counted: string[] = [];
  for await (const r of streams.countTo(req("3"), handlerContext(m[1], headers)) as AsyncIterable<{ item: { id: string; name: string } }>) {
    counted.push(`${r.item.id}:${r.item.name}`);
  }
  assert.deepEqual(counted, [`1:c-1|${traceId}`, `2:c-1|${traceId}`, `3:c-1|${traceId}`]);

  const echoed: string[] = [];
  for await (const r of streams.echoEach(iterate(req("x"), req("y")), handlerContext(m[2], headers)) as AsyncIterable<{ item: { id: string; name: string } }>) {
    echoed.push(r.item.name);
  }
  assert.deepEqual(echoed, [`c-1|${traceId}`, `c-1|${traceId}`]);
  for (const name of ["CollectIds", "CountTo", "EchoEach"]) assert.equal(await count(`/mesh.test.v1.StreamService/${name}`, "OK"), 1);
});

test("a stream that fails midway maps the error; one the caller abandons counts as canceled", async () => {
  const { streams, count } = setup();
  const m = StreamService.methods;
  const got: string[] = [];
  const err = await (async () => {
    for await (const r of streams.countTo(create(GetItemRequestSchema, { id: "fail" }), handlerContext(m[1])) as AsyncIterable<{ item: { id: string } }>) got.push(r.item.id);
  })().catch((e) => e);
  assert.deepEqual(got, ["1"]);
  assert.equal(err.code, Code.FailedPrecondition);

  for await (const _ of streams.countTo(create(GetItemRequestSchema, { id: "5" }), handlerContext(m[1])) as AsyncIterable<unknown>) break;
  assert.equal(await count("/mesh.test.v1.StreamService/CountTo", "Canceled"), 1);
});

test("an error after the call was aborted maps to the abort's reason, not INTERNAL", async () => {
  const { lines, metrics, logger } = { ...setup(), ...captureLogs() };
  const ac = new AbortController();
  const impl = wrapService(ItemService, {
    async getItem() {
      ac.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
      throw new Error("socket hang up");
    },
  }, { logger, metrics });
  const ctx = createHandlerContext({
    service: ItemService, method: ItemService.method.getItem, protocolName: "grpc", requestMethod: "POST", url: "/", requestSignal: ac.signal,
  });
  const err = await failure(() => impl.getItem(create(GetItemRequestSchema, {}), ctx));
  assert.equal(err.code, Code.DeadlineExceeded);
  assert.equal(lines.filter((l) => l.level === "error").length, 0);
});

test("an id the caller sent that could not travel on is replaced, the new one answered, and the old one logged escaped", async () => {
  const { lines, store } = setup();
  const ctx = handlerContext(ItemService.method.getItem, { "x-correlation-id": "a\tb\u00e9", "x-causation-id": "c".repeat(300) });
  const res = await store.getItem(create(GetItemRequestSchema, { id: "rose" }), ctx);
  const id = ctx.responseHeader.get("x-correlation-id")!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(res.item?.name?.split("|")[0], id, "the handler runs under the new id");
  const replaced = lines.filter((l) => String(l.msg).startsWith("replaced an unusable"));
  assert.deepEqual(replaced.map((l) => [l.msg, l.given, l.correlationId]), [
    ["replaced an unusable x-correlation-id", "a\\x09b\\xe9", id],
    ["replaced an unusable x-causation-id", `${"c".repeat(80)}... (300 characters)`, id],
  ]);
});

test("a value the database refuses (too long for its column) is the caller's INVALID_ARGUMENT, not INTERNAL; the value is not logged", async () => {
  const { logger, lines } = captureLogs();
  const tooLong = Object.assign(new Error("insert into `outbox` (`causation_id`) values ('010-1234-5678') - Data too long for column 'causation_id' at row 1"), {
    code: "ER_DATA_TOO_LONG", errno: 1406, sqlState: "22001", sqlMessage: "Data too long for column 'causation_id' at row 1",
  });
  const store = wrapService(ItemService, { getItem: () => { throw tooLong; } }, { logger, metrics: createMetrics("t", { processMetrics: false }) });
  const error = await failure(() => store.getItem(create(GetItemRequestSchema, { id: "x" }), handlerContext(ItemService.method.getItem)));
  assert.equal(error.code, Code.InvalidArgument);
  assert.equal(error.rawMessage, "a value is longer than it may be (causation_id)");
  assert.equal(lines.find((l) => l.msg === "rpc input did not fit the database (a field check is missing)")?.level, "warn");
  assert.ok(!JSON.stringify(lines).includes("010-1234-5678"));
});
