import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary, type DescMessage, type DescMethodUnary, type MessageShape } from "@bufbuild/protobuf";
import { anyPack, type Any } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { runInContext } from "../context/call-context.js";
import { createLogger } from "../log/logger.js";
import { createMetrics, type MeshMetrics } from "../telemetry/metrics.js";
import { ItemSchema, ItemService, type GetItemResponse } from "../../gen/meshtest/v1/sample_pb.js";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
} from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { createClient } from "./client.js";
import { wasNeverSent } from "./never-sent.js";
import { createResiliencePolicy, wasShortCircuited, type ResilienceOptions } from "./resilience.js";

// A real grpc-js ItemService whose behaviour the request chooses: the GetItem id or the
// AddItem name is "unavailable:<times>:<key>", "sleep:<ms>", "refuse", "invalid" or a plain name.
interface StoreServer {
  port: number;
  calls: Map<string, number>;
  seen: Array<{ correlationId?: string; causationId?: string; traceparent?: string; deadline: number }>;
  stop(): void;
}

async function startStoreServer(port = 0): Promise<StoreServer> {
  const calls = new Map<string, number>();
  const seen: StoreServer["seen"] = [];
  const server = new grpc.Server();
  const behave = async (key: string, call: grpc.ServerUnaryCall<unknown, unknown>) => {
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const text = (name: string) => call.metadata.get(name)[0]?.toString();
    const deadline = call.getDeadline();
    seen.push({ correlationId: text("x-correlation-id"), causationId: text("x-causation-id"), traceparent: text("traceparent"), deadline: Number(deadline) });
    const [kind, arg, id] = key.split(":");
    if (kind === "unavailable" && calls.get(key)! <= Number(arg)) throw grpcError(Code.Unavailable, `down for ${id}`);
    if (kind === "sleep") await sleep(Number(arg));
    if (kind === "refuse") {
      throw grpcError(Code.FailedPrecondition, "out of stock", [
        anyPack(PreconditionFailureSchema, create(PreconditionFailureSchema, { violations: [{ type: "OUT_OF_STOCK", description: "no roses left" }] })),
        anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: "OUT_OF_STOCK", domain: "store" })),
      ]);
    }
    if (kind === "invalid") {
      throw grpcError(Code.InvalidArgument, "name: must not be empty", [
        anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: [{ field: "name", description: "must not be empty" }] })),
      ]);
    }
    return create(ItemSchema, { id: key, name: "Rose", price: { amount: 1500n, currency: "KRW" }, stock: 3 });
  };
  const unary = <I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    keyOf: (request: MessageShape<I>) => string,
    answer: (item: MessageShape<typeof ItemSchema>) => MessageShape<O>,
  ) => ({
    definition: {
      path: `/${ItemService.typeName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (m: MessageShape<I>) => Buffer.from(toBinary(method.input, m)),
      requestDeserialize: (b: Buffer) => fromBinary(method.input, b),
      responseSerialize: (m: MessageShape<O>) => Buffer.from(toBinary(method.output, m)),
      responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
    },
    handler: (call: grpc.ServerUnaryCall<MessageShape<I>, MessageShape<O>>, callback: grpc.sendUnaryData<MessageShape<O>>) => {
      behave(keyOf(call.request), call).then((item) => callback(null, answer(item)), (error: grpc.ServiceError) => callback(error));
    },
  });
  const get = unary(ItemService.method.getItem, (r) => r.id, (item) => create(ItemService.method.getItem.output, { item }));
  const add = unary(ItemService.method.addItem, (r) => r.name, (item) => create(ItemService.method.addItem.output, { item }));
  server.addService({ GetItem: get.definition, AddItem: add.definition }, { GetItem: get.handler, AddItem: add.handler } as never);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port: bound, calls, seen, stop: () => server.forceShutdown() };
}

// What a grpc-js server sends for a rich error: code, message and google.rpc.Status in the trailers.
function grpcError(code: Code, message: string, details: Any[] = []): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (details.length) {
    metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, create(StatusSchema, { code, message, details }))));
  }
  return Object.assign(new Error(message), { code: code as number, details: message, metadata });
}

function setup(port: number, overrides: Partial<ResilienceOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: "test", write: (line) => lines.push(JSON.parse(line)) });
  const metrics = createMetrics("test", { processMetrics: false });
  const policy = createResiliencePolicy({ dependency: "store", logger, metrics, timeoutMs: 500, retryDelayMs: 5, halfOpenAfterMs: 300, ...overrides });
  const client = createClient(ItemService, {
    dependency: "store", address: `127.0.0.1:${port}`, protocol: "grpc", policy, logger, metrics,
    channelOptions: { "grpc.max_reconnect_backoff_ms": 200 },
  });
  return { client, policy, lines, metrics };
}

async function requestCounts(metrics: MeshMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.clientRequests.get()).values) out[`${v.labels.method} ${v.labels.code}`] = v.value;
  return out;
}

const noFallback = (error: ConnectError): never => assert.fail(`fallback called with ${error.message}`);
const substitute = (id: string) => (): GetItemResponse => create(ItemService.method.getItem.output, { item: { id, name: "substitute" } });

describe("createClient against a real grpc-js server", () => {
  let server: StoreServer;
  before(async () => (server = await startStoreServer()));
  after(() => server.stop());

  test("round trip with typed request and response; metrics record OK", async () => {
    const { client, metrics } = setup(server.port);
    try {
      const got = await client.getItem({ id: "rose" }, { fallback: noFallback });
      assert.equal(got.item?.name, "Rose");
      assert.equal(got.item?.price?.amount, 1500n);
      const added = await client.addItem({ name: "tulip", stock: 2 }, { fallback: noFallback });
      assert.equal(added.item?.id, "tulip");
      assert.deepEqual(await requestCounts(metrics), { "GetItem OK": 1, "AddItem OK": 1 });
      // Checked by tsc, never run: the fallback is required and requests are typed.
      const typeChecks = () => {
        // @ts-expect-error a call site must state its fallback
        void client.getItem({ id: "x" }, {});
        // @ts-expect-error no such field
        void client.getItem({ nope: 1 }, { fallback: noFallback });
        // @ts-expect-error the fallback must answer with the method's response type
        void client.getItem({ id: "x" }, { fallback: () => create(ItemSchema, {}) });
      };
      void typeChecks;
    } finally {
      client.close();
    }
  });

  test("every call carries the context's correlation id, causation id and traceparent, and a deadline", async () => {
    const { client } = setup(server.port, { maxConcurrent: 1, maxQueue: 4 });
    const trace = (n: number) => ({ traceId: `${n}`.repeat(32), spanId: `${n}`.repeat(16), sampled: true });
    try {
      server.seen.length = 0;
      const before = Date.now();
      // maxConcurrent 1: the second call waits in the bulkhead yet keeps its own context.
      await Promise.all([1, 2].map((n) =>
        runInContext({ correlationId: `order-${n}`, causationId: `event-${n}`, trace: trace(n) }, () =>
          client.getItem({ id: "sleep:20" }, { fallback: noFallback }))));
      assert.deepEqual(server.seen.map((s) => [s.correlationId, s.causationId, s.traceparent]), [
        ["order-1", "event-1", `00-${"1".repeat(32)}-${"1".repeat(16)}-01`],
        ["order-2", "event-2", `00-${"2".repeat(32)}-${"2".repeat(16)}-01`],
      ]);
      for (const s of server.seen) assert.ok(Number.isFinite(s.deadline) && s.deadline > before, "a gRPC deadline was sent");
    } finally {
      client.close();
    }
  });

  test("an idempotent method is retried on Unavailable; a non-idempotent one never is", async () => {
    const { client, metrics } = setup(server.port, { retries: 2 });
    try {
      const got = await client.getItem({ id: "unavailable:2:get" }, { fallback: noFallback });
      assert.equal(got.item?.name, "Rose");
      assert.equal(server.calls.get("unavailable:2:get"), 3);

      let seen: ConnectError | undefined;
      const added = await client.addItem({ name: "unavailable:2:add" }, {
        fallback: (error) => ((seen = error), create(ItemService.method.addItem.output, {})),
      });
      assert.equal(added.item, undefined);
      assert.equal(seen?.code, Code.Unavailable);
      assert.equal(seen?.rawMessage, "down for add");
      assert.equal(server.calls.get("unavailable:2:add"), 1);
      assert.deepEqual(await requestCounts(metrics), { "GetItem OK": 1, "AddItem fallback": 1 });
    } finally {
      client.close();
    }
  });

  test("business errors reach the caller with their details, skip the fallback and never move the breaker", async () => {
    const { client, policy, metrics } = setup(server.port, { breakerThreshold: 2 });
    try {
      for (let i = 0; i < 4; i++) {
        const error = await client.getItem({ id: "refuse" }, { fallback: noFallback }).catch((e: unknown) => e);
        assert.ok(error instanceof ConnectError);
        assert.equal(error.code, Code.FailedPrecondition);
        assert.equal(error.rawMessage, "out of stock");
        assert.equal(error.findDetails(PreconditionFailureSchema)[0]?.violations[0]?.type, "OUT_OF_STOCK");
        assert.equal(error.findDetails(ErrorInfoSchema)[0]?.domain, "store");
      }
      const invalid = await client.addItem({ name: "invalid" }, { fallback: noFallback }).catch((e: unknown) => e);
      assert.ok(invalid instanceof ConnectError);
      assert.equal(invalid.code, Code.InvalidArgument);
      assert.deepEqual(invalid.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field), ["name"]);
      assert.equal(policy.breakerState(), "closed");
      assert.deepEqual(await requestCounts(metrics), { "GetItem FailedPrecondition": 4, "AddItem InvalidArgument": 1 });
    } finally {
      client.close();
    }
  });

  test("a call that outlasts its timeout goes to the fallback with DeadlineExceeded", async () => {
    const { client, metrics } = setup(server.port);
    try {
      let seen: ConnectError | undefined;
      const got = await client.getItem({ id: "sleep:400" }, { timeoutMs: 50, fallback: (e) => ((seen = e), substitute("cached")()) });
      assert.equal(got.item?.name, "substitute");
      assert.equal(seen?.code, Code.DeadlineExceeded);
      assert.equal(server.calls.get("sleep:400"), 1, "DeadlineExceeded is not retried");
      assert.deepEqual(await requestCounts(metrics), { "GetItem fallback": 1 });
    } finally {
      client.close();
    }
  });

  test("a fallback that throws decides the caller's error", async () => {
    const { client } = setup(server.port);
    try {
      const error = await client.addItem({ name: "unavailable:1:throwing" }, {
        fallback: () => { throw new ConnectError("store is unavailable; please try later", Code.Unavailable); },
      }).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectError);
      assert.equal(error.rawMessage, "store is unavailable; please try later");
    } finally {
      client.close();
    }
  });

  test("a full bulkhead sends the call to the fallback with Unavailable", async () => {
    const { client } = setup(server.port, { maxConcurrent: 1, maxQueue: 0 });
    try {
      const first = client.getItem({ id: "sleep:100" }, { fallback: noFallback });
      let seen: ConnectError | undefined;
      const second = await client.getItem({ id: "bulkhead" }, { fallback: (e) => ((seen = e), substitute("none")()) });
      assert.equal(second.item?.name, "substitute");
      assert.equal(seen?.code, Code.Unavailable);
      assert.ok(wasShortCircuited(seen));
      assert.equal(server.calls.get("bulkhead"), undefined);
      assert.equal((await first).item?.name, "Rose");
    } finally {
      client.close();
    }
  });
});

describe("createClient when the dependency goes down and comes back", () => {
  test("the breaker opens after the threshold, short-circuits to the fallback, and closes once the server is back", async () => {
    let server = await startStoreServer();
    const port = server.port;
    const { client, policy, lines, metrics } = setup(port, { breakerThreshold: 3, halfOpenAfterMs: 300 });
    const gauge = async () => (await metrics.breakerState.get()).values.find((v) => v.labels.dependency === "store")?.value;
    try {
      assert.equal((await client.getItem({ id: "rose" }, { fallback: noFallback })).item?.name, "Rose");
      server.stop();

      const codes: Code[] = [];
      const fallback = (e: ConnectError) => (codes.push(e.code), substitute("offline")());
      for (let i = 0; i < 3; i++) assert.equal((await client.getItem({ id: "rose" }, { fallback })).item?.name, "substitute");
      assert.deepEqual(codes, [Code.Unavailable, Code.Unavailable, Code.Unavailable]);
      assert.equal(policy.breakerState(), "open");
      assert.equal(await gauge(), 2);
      const opened = lines.find((l) => l.breaker === "open");
      assert.equal(opened?.level, "warn");
      assert.match(String(opened?.msg), /circuit breaker for store \/meshtest.v1.ItemService\/GetItem opened/);

      // Open: calls never reach the network (a restarted server would count them).
      server = await startStoreServer(port);
      // Up to 1000 calls, but only within half of halfOpenAfterMs: on a loaded machine the breaker would half-open meanwhile.
      const started = performance.now();
      let rounds = 0;
      for (; rounds < 1000 && performance.now() - started < 150; rounds++) await client.getItem({ id: "while-open" }, { fallback: substitute("offline") });
      const meanUs = ((performance.now() - started) * 1000) / rounds;
      console.log(`# open-breaker rejection (policy + fallback): mean ${meanUs.toFixed(1)} µs over ${rounds} calls`);
      assert.equal(server.calls.get("while-open"), undefined);

      // After halfOpenAfter one probe passes; the channel may still be reconnecting, so allow a few rounds.
      let back: GetItemResponse | undefined;
      for (let i = 0; i < 10 && back?.item?.name !== "Rose"; i++) {
        await sleep(320);
        back = await client.getItem({ id: "rose" }, { fallback: substitute("offline") });
      }
      assert.equal(back?.item?.name, "Rose");
      assert.equal(policy.breakerState(), "closed");
      assert.equal(await gauge(), 0);
      const states = lines.filter((l) => l.breaker).map((l) => `${l.level} ${l.breaker}`);
      assert.deepEqual(states.slice(0, 2), ["warn open", "info half-open"]);
      assert.deepEqual(states.slice(-2), ["info half-open", "info closed"]);
      const counts = await requestCounts(metrics);
      assert.equal(counts["GetItem OK"], 2);
      assert.ok(counts["GetItem fallback"] >= 3 + rounds);
    } finally {
      client.close();
      server.stop();
    }
  });
});

describe("which failed calls never left this process (nothing to undo at the dependency)", () => {
  const payLater = () => { throw new ConnectError("store is unavailable; try later", Code.Unavailable); };
  const failureOf = (call: Promise<unknown>) => call.then(() => assert.fail("the call succeeded"), (e: unknown) => e);

  test("answered, timed out: may have had an effect; bulkhead full, nothing listening, breaker open: never sent", async () => {
    const server = await startStoreServer();
    const { client } = setup(server.port, { maxConcurrent: 1, maxQueue: 0, breakerThreshold: 100 });
    try {
      assert.equal(wasNeverSent(await failureOf(client.addItem({ name: "unavailable:9:answered" }, { fallback: payLater }))), false, "the server answered");
      assert.equal(wasNeverSent(await failureOf(client.addItem({ name: "refuse" }, { fallback: payLater }))), false, "a refusal is an answer");
      assert.equal(wasNeverSent(await failureOf(client.addItem({ name: "sleep:400" }, { timeoutMs: 50, fallback: payLater }))), false, "it may have run");
      await sleep(450); // until the slow call has left the bulkhead
      const busy = client.addItem({ name: "sleep:150" }, { fallback: payLater });
      assert.equal(wasNeverSent(await failureOf(client.addItem({ name: "queued" }, { fallback: payLater }))), true, "the bulkhead refused it");
      await busy;
      assert.equal(server.calls.get("queued"), undefined);
    } finally {
      client.close();
      server.stop();
    }

    const nowhere = setup(server.port, { breakerThreshold: 2, halfOpenAfterMs: 60_000 });
    try {
      const refused = await failureOf(nowhere.client.addItem({ name: "rose" }, { fallback: payLater }));
      assert.match((refused as ConnectError).rawMessage, /try later/);
      assert.equal(wasNeverSent(refused), true, "no connection was established");
      await failureOf(nowhere.client.addItem({ name: "rose" }, { fallback: payLater }));
      assert.equal(nowhere.policy.breakerState(), "open");
      let seen: ConnectError | undefined;
      const open = await failureOf(nowhere.client.addItem({ name: "rose" }, { fallback: (e) => { seen = e; return payLater(); } }));
      assert.ok(wasShortCircuited(seen));
      assert.equal(wasNeverSent(open), true, "the breaker refused it");
    } finally {
      nowhere.client.close();
    }
  });
});
