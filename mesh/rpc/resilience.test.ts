import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { once } from "node:events";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger } from "../log/logger.js";
import { createMetrics, type MeshMetrics } from "../telemetry/metrics.js";
import { isInfrastructureFailure } from "../errors/infrastructure-codes.js";
import { answeredKey, wasAnswered } from "../errors/wire-failure.js";
import { eventually } from "../testing/eventually.js";
import { createResiliencePolicy, wasShortCircuited, type Attempt, type ResilienceOptions } from "./resilience.js";

function setup(overrides: Partial<ResilienceOptions> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: "test", level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  const metrics = createMetrics("test", { processMetrics: false });
  const policy = createResiliencePolicy({ dependency: "store", logger, metrics, timeoutMs: 200, halfOpenAfterMs: 100, retryDelayMs: 1, ...overrides });
  return { policy, lines, metrics };
}

const method = "/flower.v1.StoreService/GetFlower";
const other = "/flower.v1.StoreService/ListFlowers";
const fail = (code: Code) => () => Promise.reject(new ConnectError("boom", code));
const errorCode = (e: unknown) => (e instanceof ConnectError ? e.code : undefined);

async function gauge(metrics: MeshMetrics): Promise<number | undefined> {
  return (await metrics.breakerState.get()).values.find((v) => v.labels.dependency === "store" && v.labels.method === method)?.value;
}

async function transitions(metrics: MeshMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.breakerTransitions.get()).values) if (v.labels.method === method) out[String(v.labels.state)] = v.value;
  return out;
}

describe("createResiliencePolicy", () => {
  test("retries only idempotent calls, only on Unavailable, and counts retries after the first attempt", async () => {
    const { policy } = setup({ retries: 2 });
    let attempts = 0;
    const unavailable = () => (attempts++, fail(Code.Unavailable)());

    await assert.rejects(policy.execute(unavailable, { method, idempotent: true }), (e) => errorCode(e) === Code.Unavailable);
    assert.equal(attempts, 3);

    attempts = 0;
    await assert.rejects(policy.execute(unavailable, { method, idempotent: false }), (e) => errorCode(e) === Code.Unavailable);
    assert.equal(attempts, 1);

    attempts = 0;
    const internal = () => (attempts++, fail(Code.Internal)());
    await assert.rejects(policy.execute(internal, { method, idempotent: true }), (e) => errorCode(e) === Code.Internal);
    assert.equal(attempts, 1);

    attempts = 0;
    const flaky = async () => (++attempts < 3 ? fail(Code.Unavailable)() : "ok");
    assert.equal(await policy.execute(flaky, { method, idempotent: true }), "ok");
  });

  test("business refusals pass through and never move the breaker; infrastructure failures do", async () => {
    const { policy } = setup({ breakerThreshold: 2 });
    for (const code of [Code.InvalidArgument, Code.NotFound, Code.FailedPrecondition, Code.AlreadyExists, Code.PermissionDenied]) {
      for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(fail(code), { method, idempotent: false }), (e) => errorCode(e) === code);
    }
    assert.equal(policy.breakerState(), "closed");
    await assert.rejects(policy.execute(fail(Code.Internal), { method, idempotent: false }));
    await assert.rejects(policy.execute(fail(Code.DataLoss), { method, idempotent: false }));
    assert.equal(policy.breakerState(), "open");
  });

  test("a slow attempt is aborted and ends as DeadlineExceeded, which the breaker counts", async () => {
    const { policy } = setup({ breakerThreshold: 1 });
    let aborted = false;
    const slow = ({ signal }: { signal: AbortSignal }) =>
      new Promise<string>((_, reject) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(new ConnectError("cancelled", Code.Canceled)); // what a cancelled gRPC call reports
        });
      });
    await assert.rejects(policy.execute(slow, { method, idempotent: true, timeoutMs: 20 }), (e) => errorCode(e) === Code.DeadlineExceeded);
    assert.ok(aborted);
    assert.equal(policy.breakerState(), "open");
  });

  test("an answer that arrived while the caller's event loop was busy past the deadline is taken, and no breaker counts it", async () => {
    // A caller stalled by its own work (a long batch, a GC pause) meets its expired timer and its
    // answer, already in the socket, in one turn of the loop; libuv runs timers before it reads
    // sockets. The answer was in time: the caller's own load must not count against the dependency.
    const { policy } = setup({ breakerThreshold: 1 });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
    const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
    const [dependency] = await Promise.all([accepted, once(client, "connect")]);
    try {
      for (let call = 0; call < 3; call++) {
        const answered = () =>
          new Promise<string>((resolve) => {
            client.once("data", (chunk) => resolve(String(chunk)));
            dependency.write("answer"); // in the caller's socket at once
            const until = performance.now() + 60;
            while (performance.now() < until); // the caller's loop stays busy past the 20 ms deadline
          });
        assert.equal(await policy.execute(answered, { method, idempotent: false, timeoutMs: 20 }), "answer", `call ${call + 1}`);
      }
      assert.equal(policy.breakerState(), "closed");
    } finally {
      client.destroy();
      dependency.destroy();
      server.close();
    }
  });

  test("an attempt's onAbort hears its deadline, at once when added after it; its signal, first read then, is already aborted", async () => {
    const { policy } = setup({ breakerThreshold: 5 });
    const heard: unknown[] = [];
    let late: { reason: unknown; signal: AbortSignal } | undefined;
    const slow = (attempt: Attempt) =>
      new Promise<string>((_, reject) => {
        const stop = attempt.onAbort((reason) => heard.push(reason));
        const removed = attempt.onAbort(() => heard.push("removed listener"));
        removed();
        setTimeout(() => {
          stop();
          attempt.onAbort((reason) => (late = { reason, signal: attempt.signal }));
          reject(new ConnectError("cancelled", Code.Canceled));
        }, 60);
      });
    const error = await policy.execute(slow, { method, idempotent: false, timeoutMs: 20 }).catch((e: unknown) => e);
    assert.equal(errorCode(error), Code.DeadlineExceeded);
    await eventually("the attempt to end", () => late !== undefined);
    assert.equal(heard.length, 1, "one listener heard it once; the removed one did not");
    assert.equal(errorCode(heard[0]), Code.DeadlineExceeded);
    assert.equal(late!.reason, heard[0], "a listener added after the abort hears the same reason at once");
    assert.ok(late!.signal.aborted);
    assert.equal(late!.signal.reason, heard[0]);
  });

  test("the caller giving up ends as Canceled, which no breaker counts", async () => {
    const { policy } = setup({ breakerThreshold: 1 });
    const controller = new AbortController();
    const pending = policy.execute(({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))), {
      method,
      idempotent: true,
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(pending, (e) => errorCode(e) === Code.Canceled && !isInfrastructureFailure(e));
    assert.equal(policy.breakerState(), "closed");
  });

  test("opens after the threshold, short-circuits, half-opens, closes; logs and metrics follow", async () => {
    const { policy, lines, metrics } = setup({ breakerThreshold: 3, halfOpenAfterMs: 50 });
    assert.equal(await gauge(metrics), undefined, "a method's breaker is made on its first call");
    for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    assert.equal(policy.breakerState(), "open");
    assert.equal(await gauge(metrics), 2);

    let reached = false;
    const error = await policy.execute(async () => (reached = true), { method, idempotent: true }).catch((e: unknown) => e);
    assert.ok(!reached);
    assert.equal(errorCode(error), Code.Unavailable);
    assert.ok(wasShortCircuited(error));

    const opened = lines.find((l) => l.breaker === "open");
    assert.equal(opened?.level, "warn");
    assert.equal(opened?.dependency, "store");
    assert.equal(opened?.method, method);
    assert.match(String(opened?.msg), /store/);

    await sleep(60);
    // The probe fails: open again.
    await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    assert.equal(policy.breakerState(), "open");
    await sleep(60);
    assert.equal(await policy.execute(async () => "back", { method, idempotent: true }), "back");
    assert.equal(policy.breakerState(), "closed");
    assert.equal(await gauge(metrics), 0);
    assert.deepEqual(await transitions(metrics), { open: 2, "half-open": 2, closed: 1 });
    assert.deepEqual(
      lines.filter((l) => l.breaker).map((l) => `${l.level} ${l.breaker}`),
      ["warn open", "info half-open", "warn open", "info half-open", "info closed"],
    );
  });

  test("a full bulkhead rejects at once with Unavailable", async () => {
    const { policy } = setup({ maxConcurrent: 1, maxQueue: 1 });
    const running = [1, 2].map(() => policy.execute(() => sleep(30).then(() => "done"), { method, idempotent: false }));
    const error = await policy.execute(async () => "never", { method, idempotent: false }).catch((e: unknown) => e);
    assert.equal(errorCode(error), Code.Unavailable);
    assert.ok(wasShortCircuited(error));
    assert.deepEqual(await Promise.all(running), ["done", "done"]);
    assert.equal(policy.breakerState(), "closed");
  });

  test("isolate holds every method's breaker open, even one first called meanwhile, until disposed", async () => {
    const { policy, metrics } = setup();
    assert.equal(await policy.execute(async () => "x", { method, idempotent: true }), "x");
    const handle = policy.isolate();
    assert.equal(policy.breakerState(), "isolated");
    assert.equal(await gauge(metrics), 3);
    await assert.rejects(policy.execute(async () => "x", { method, idempotent: true }), (e) => errorCode(e) === Code.Unavailable);
    await assert.rejects(policy.execute(async () => "x", { method: other, idempotent: true }), (e) => errorCode(e) === Code.Unavailable);
    handle.dispose();
    assert.equal(policy.breakerState(), "closed");
    assert.equal(await policy.execute(async () => "x", { method, idempotent: true }), "x");
    assert.equal(await policy.execute(async () => "x", { method: other, idempotent: true }), "x");
  });
});

describe("createResiliencePolicy: what counts against a breaker", () => {
  // A status a live mesh server sent: it carries the answered mark (grpcStatusFromError adds it).
  const answered = (code: Code, message = "payment is unavailable right now; please pay later") => () =>
    Promise.reject(new ConnectError(message, code, new Headers({ [answeredKey]: "1" })));

  test("a status the dependency answered, even Unavailable or Internal, is neither counted nor retried, and passes unchanged", async () => {
    const { policy } = setup({ breakerThreshold: 2, retries: 2 });
    let attempts = 0;
    for (const code of [Code.Unavailable, Code.Internal, Code.Unknown, Code.DeadlineExceeded, Code.ResourceExhausted]) {
      for (let i = 0; i < 3; i++) {
        const error = await policy.execute(() => (attempts++, answered(code)()), { method, idempotent: true }).catch((e: unknown) => e);
        assert.equal(errorCode(error), code);
        assert.ok(wasAnswered(error));
        assert.equal((error as ConnectError).rawMessage, "payment is unavailable right now; please pay later");
      }
    }
    assert.equal(attempts, 15, "one attempt each: an answered Unavailable is not retried");
    assert.equal(policy.breakerState(method), "closed");
    // Nor does an unmarked ResourceExhausted (grpc-js refusing an oversized message)...
    for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(fail(Code.ResourceExhausted), { method, idempotent: false }));
    assert.equal(policy.breakerState(method), "closed");
    // ...but the same codes on the wire (no mark) do.
    await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    await assert.rejects(policy.execute(fail(Code.Internal), { method, idempotent: false }));
    assert.equal(policy.breakerState(method), "open");
  });

  test("answered failures between wire failures never open the breaker themselves", async () => {
    const { policy } = setup({ breakerThreshold: 3 });
    await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    for (let i = 0; i < 5; i++) await assert.rejects(policy.execute(answered(Code.Unavailable), { method, idempotent: false }));
    await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    assert.equal(policy.breakerState(method), "closed");
    assert.equal(await policy.execute(async () => "ok", { method, idempotent: false }), "ok");
  });

  test("breakers are per method: one method's failures never refuse another's calls; metrics and logs name the method", async () => {
    const { policy, metrics, lines } = setup({ breakerThreshold: 2 });
    for (let i = 0; i < 2; i++) await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: false }));
    assert.equal(policy.breakerState(method), "open");
    assert.ok(wasShortCircuited(await policy.execute(async () => "x", { method, idempotent: false }).catch((e: unknown) => e)));
    assert.equal(await policy.execute(async () => "read", { method: other, idempotent: true }), "read");
    assert.equal(policy.breakerState(other), "closed");
    assert.equal(policy.breakerState(), "open", "the worst of any method");
    const states = (await metrics.breakerState.get()).values.map((v) => [v.labels.method, v.value]);
    assert.deepEqual(states, [[method, 2], [other, 0]]);
    const opened = lines.find((l) => l.breaker === "open");
    assert.equal(opened?.method, method);
    assert.match(String(opened?.msg), /circuit breaker for store \/flower.v1.StoreService\/GetFlower opened/);
  });

  test("the half-open probe is marked as one (it may wait for a connection); other calls are not", async () => {
    const { policy } = setup({ breakerThreshold: 1, halfOpenAfterMs: 30 });
    const probes: boolean[] = [];
    const record = async ({ probe }: { probe: boolean }) => (probes.push(probe), "ok");
    await policy.execute(record, { method, idempotent: true });
    await assert.rejects(policy.execute(fail(Code.Unavailable), { method, idempotent: true }));
    await sleep(40);
    await policy.execute(record, { method, idempotent: true });
    await policy.execute(record, { method, idempotent: true });
    assert.deepEqual(probes, [false, true, false]);
    assert.equal(policy.breakerState(method), "closed");
  });
});
