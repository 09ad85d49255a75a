import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fromBinary } from "@bufbuild/protobuf";
import { connect, headers as natsHeaders, type NatsConnection } from "nats";
import { OrderPlacedSchema, type OrderPlaced } from "../../gen/flower/v1/events_pb.js";
import { currentContext, runInContext, type CallContext } from "../context/call-context.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../db/database-fixtures.js";
import { startPolicy, type RunningPolicy, type StartPolicyOptions } from "./consumer.js";
import { listDeadLetters } from "./dead-letters.js";
import type { ReceivedEvent } from "./event-type.js";
import { RetryLaterError, type Policy } from "./policy.js";
import { createOutboxRelay } from "./relay.js";
import { runtimeMigrations, runtimeMigrationsTable } from "./runtime-migrations.js";
import { streamName } from "./subjects.js";
import { captureLogger, createTestNats, testEvents, testMetrics, testNatsUrl, until, type TestNats } from "./event-fixtures.js";
import { createTransact } from "./transact.js";
import type { Transaction } from "./transaction.js";

interface Harness extends TestDatabase {
  nats: TestNats;
  metrics: ReturnType<typeof testMetrics>;
  logs: Record<string, unknown>[];
  /** Emits each event in its own transaction of the producing service (in order), then publishes them all. */
  publish(events: { orderId: string; qty?: number; correlationId?: string }[], ctx?: CallContext): Promise<void>;
  /** Runs one transaction of the producing service, then publishes what it emitted. */
  produce(work: (tx: Transaction) => void): Promise<void>;
  start(policy: Policy, options?: Partial<StartPolicyOptions>): Promise<RunningPolicy>;
  connection(): Promise<NatsConnection>;
  count(outcome: string, consumer?: string): Promise<number>;
}

async function withHarness(dialect: (typeof testDialects)[number], fn: (h: Harness) => Promise<void>) {
  const t = await createTestDatabase(dialect);
  // The service emitting the events has a database of its own, as in production.
  const producerDb = await openDatabase({ url: "sqlite::memory:" });
  const nats = await createTestNats();
  const { logger, lines } = captureLogger();
  const metrics = testMetrics();
  const running: RunningPolicy[] = [];
  const connections: NatsConnection[] = [];
  try {
    await migrate(t.db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    await migrate(producerDb, runtimeMigrations, { tableName: runtimeMigrationsTable });
    await t.db.schema.createTable("handled", (tb) => tb.string("order_id").primary());
    const relay = createOutboxRelay({ db: producerDb, nc: nats.nc, namespace: nats.namespace, logger, metrics: testMetrics() });
    const produce = createTransact({ db: producerDb });
    const transact = createTransact({ db: t.db });
    const h: Harness = {
      ...t, nats, metrics, logs: lines,
      async publish(events, ctx) {
        for (const e of events) {
          const emit = () => produce(async (tx) => tx.emit(testEvents.orderPlaced, { orderId: e.orderId, qty: e.qty ?? 0 }, { correlationId: e.correlationId }));
          await (ctx ? runInContext(ctx, emit) : emit());
        }
        await relay.flush();
      },
      async produce(work) {
        await produce(async (tx) => work(tx));
        await relay.flush();
      },
      async start(policy, options = {}) {
        const p = await startPolicy({
          nc: nats.nc, db: t.db, namespace: nats.namespace, service: "test-svc", policy, transact, logger, metrics,
          retryBaseMs: 20, ...options,
        });
        running.push(p);
        return p;
      },
      async connection() {
        const nc = await connect({ servers: testNatsUrl });
        connections.push(nc);
        return nc;
      },
      async count(outcome, consumer) {
        const values = (await metrics.eventsHandled.get()).values;
        return values.filter((v) => v.labels.outcome === outcome && (!consumer || v.labels.consumer === consumer)).reduce((a, v) => a + v.value, 0);
      },
    };
    await fn(h);
  } finally {
    for (const p of running) await p.stop();
    for (const nc of connections) await nc.close();
    await nats.cleanup();
    await producerDb.destroy();
    await t.drop();
  }
}

/** A policy on OrderPlaced that records each call, writes a row, and runs `body`. */
function recordingPolicy(name: string, body?: (e: ReceivedEvent<typeof OrderPlacedSchema>, attempt: number) => Promise<void> | void) {
  const calls: { event: ReceivedEvent<typeof OrderPlacedSchema>; ctx: CallContext | undefined }[] = [];
  const attempts = new Map<string, number>();
  const policy: Policy = {
    name,
    on: [testEvents.orderPlaced],
    async handle(event, tx) {
      const e = event as ReceivedEvent<typeof OrderPlacedSchema>;
      const attempt = (attempts.get(e.message.orderId) ?? 0) + 1;
      attempts.set(e.message.orderId, attempt);
      await tx.db("handled").insert({ order_id: e.message.orderId });
      await body?.(e, attempt);
      calls.push({ event: e, ctx: currentContext() });
    },
  };
  const handledOnce = (orderId: string) => calls.filter((c) => c.event.message.orderId === orderId).length === 1;
  return { policy, calls, attempts, handledOnce };
}

const orders = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ orderId: `${prefix}-${i}`, correlationId: `${prefix}-saga-${i}` }));
const trace = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true };

for (const dialect of testDialects) {
  describe(`policy consumer (${dialect})`, () => {
    test("each event is handled once, in its context; events it emits carry correlation and causation", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("wrapWhenPlaced");
        r.policy.handle = ((inner) => async (event, tx) => {
          await inner(event, tx);
          tx.emit(testEvents.flowerWrapped, { orderId: (event.message as OrderPlaced).orderId });
        })(r.policy.handle);
        const running = await h.start(r.policy);
        assert.equal(running.consumer, "test-svc-wrapWhenPlaced");
        await h.publish(orders(20, "o"), { correlationId: "ignored-by-option", trace });
        await until("20 events are handled", () => r.calls.length === 20);
        for (let i = 0; i < 20; i++) assert.ok(r.handledOnce(`o-${i}`));
        for (const { event, ctx } of r.calls) {
          assert.equal(event.correlationId, `o-saga-${event.message.orderId.slice(2)}`);
          assert.equal(ctx?.correlationId, event.correlationId, "correlation id in the handler's context");
          assert.equal(ctx?.causationId, event.id, "causation id = this event's id");
          assert.equal(ctx?.trace.traceId, trace.traceId, "same trace as the emitter");
          assert.notEqual(ctx?.trace.spanId, trace.spanId, "a child span");
          assert.equal(event.type, testEvents.orderPlaced);
        }
        const emitted = await h.db("outbox").where({ subject: "flower.store.FlowerWrapped" });
        assert.equal(emitted.length, 20);
        const byId = new Map(r.calls.map((c) => [c.event.id, c.event]));
        for (const row of emitted) {
          const cause = byId.get(row.causation_id);
          assert.ok(cause, "causation id is the handled event's id");
          assert.equal(row.correlation_id, cause.correlationId);
        }
        assert.equal(Number((await h.db("handled").count({ n: "*" }).first())!.n), 20);
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await until("20 counted as handled", async () => (await h.count("handled")) === 20);
        assert.equal((await h.metrics.eventLag.get()).values.find((v) => v.metricName?.endsWith("_count"))?.value, 20);
      });
    });

    test("a redelivered event (same id) changes nothing twice: the inbox skips it", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("recordWhenPlaced");
        let p = await h.start(r.policy);
        await h.publish(orders(5, "d"));
        await until("5 events are handled", () => r.calls.length === 5);
        await p.stop();
        // Reset the durable: JetStream delivers the same 5 messages (same ids) again.
        await h.nats.jsm.consumers.delete(streamName(h.nats.namespace, "flower"), p.consumer);
        p = await h.start(r.policy);
        await until("5 duplicates are skipped", async () => (await h.count("duplicate")) === 5);
        assert.equal(r.calls.length, 5);
        assert.equal(await h.count("handled"), 5);
      });
    });

    test("two replicas on one durable split the events; each is handled once", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("splitWhenPlaced");
        const seenBy = new Map<string, string[]>();
        const replica = (name: string) => async (e: ReceivedEvent<typeof OrderPlacedSchema>) => {
          seenBy.set(e.message.orderId, [...(seenBy.get(e.message.orderId) ?? []), name]);
          await sleep(1);
        };
        const a = recordingPolicy("splitWhenPlaced", replica("a"));
        const b = recordingPolicy("splitWhenPlaced", replica("b"));
        await h.start(a.policy, { nc: await h.connection(), concurrency: 4 });
        await h.start(b.policy, { nc: await h.connection(), concurrency: 4 });
        await h.publish(orders(200, "s"));
        await until("200 events are handled", () => a.calls.length + b.calls.length === 200);
        assert.equal(seenBy.size, 200);
        for (const [orderId, by] of seenBy) assert.equal(by.length, 1, `${orderId} handled by ${by.join(", ")}`);
        assert.ok(a.calls.length > 0 && b.calls.length > 0, `split ${a.calls.length}/${b.calls.length}`);
        assert.equal(r.calls.length, 0);
      });
    });

    test("events published while no consumer runs are handled when it starts", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("catchUpWhenPlaced");
        await (await h.start(r.policy)).stop();
        await h.publish(orders(30, "late"));
        const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), "test-svc-catchUpWhenPlaced");
        assert.equal(info.num_pending, 30);
        await h.start(r.policy, { pendingPollMs: 50 });
        await until("30 events are handled", () => r.calls.length === 30);
        await until("the pending gauge reads 0", async () =>
          (await h.metrics.consumerPending.get()).values.some((v) => v.labels.consumer === "test-svc-catchUpWhenPlaced" && v.value === 0));
      });
    });

    test("events of one correlation id are handled in order; different ones interleave", async () => {
      await withHarness(dialect, async (h) => {
        const seq = new Map<string, number[]>();
        const r = recordingPolicy("orderedWhenPlaced", async (e) => {
          await sleep(Math.random() * 3);
          seq.set(e.correlationId, [...(seq.get(e.correlationId) ?? []), e.message.qty]);
        });
        await h.start(r.policy, { concurrency: 8 });
        const events = [];
        for (let i = 0; i < 15; i++) for (const saga of ["a", "b", "c", "d"]) events.push({ orderId: `${saga}-${i}`, qty: i, correlationId: `saga-${saga}` });
        await h.publish(events);
        await until("60 events are handled", () => r.calls.length === 60);
        for (const [saga, qtys] of seq) assert.deepEqual(qtys, [...Array(15).keys()], `order within ${saga}`);
      });
    });

    test("a failing handler is retried with backoff; after maxDeliver the event is dead-lettered and listed", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("failWhenPlaced", (e, attempt) => {
          if (e.message.orderId === "poison") throw new Error("boom: cannot wrap");
          if (e.message.orderId === "flaky" && attempt < 3) throw new Error("not yet");
        });
        // One at a time: no batch, so each delivery is exactly one call of the handler.
        const p = await h.start(r.policy, { maxDeliver: 3, concurrency: 1 });
        await h.publish([{ orderId: "poison", correlationId: "saga-poison" }, { orderId: "flaky" }]);
        await until("flaky is handled", () => r.handledOnce("flaky"));
        await until("poison is dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 1);
        assert.equal(r.attempts.get("poison"), 3);
        assert.equal(r.attempts.get("flaky"), 3);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), ["flaky"], "failed attempts rolled back");
        const [dead] = await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: p.consumer });
        assert.equal(dead.consumer, p.consumer);
        assert.equal(dead.subject, "flower.order.OrderPlaced");
        assert.equal(dead.deliveryCount, 3);
        assert.match(dead.reason, /boom: cannot wrap/);
        assert.equal(dead.eventType, "flower.v1.OrderPlaced");
        assert.equal(dead.correlationId, "saga-poison");
        assert.match(dead.eventId, /^[0-9a-f-]{36}$/);
        assert.ok(!Number.isNaN(Date.parse(dead.occurredAt)));
        assert.equal(fromBinary(OrderPlacedSchema, Buffer.from(dead.payloadBase64, "base64")).orderId, "poison");
        assert.deepEqual(await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: "someone-else" }), []);
        assert.equal(await h.count("dead_lettered"), 1);
        assert.equal(await h.count("retried"), 4);
        await until("JetStream has nothing left for the consumer", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), p.consumer);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        });
      });
    });

    test("events that arrive together share a transaction; one failing rolls its batch back and only it is retried", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const r = recordingPolicy("batchWhenPlaced", (e, attempt) => {
          if (e.message.orderId === "batch-7" && attempt === 1) throw new Error("first time fails");
        });
        const handle = r.policy.handle.bind(r.policy);
        r.policy.handle = async (event, tx) => {
          transactions.add(tx.db);
          await handle(event, tx);
        };
        await h.start(r.policy);
        await h.publish(orders(20, "batch"));
        await until("all 20 handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 20);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), orders(20, "batch").map((o) => o.orderId).sort(), "each committed once");
        // Without batching every handler call has a transaction of its own.
        const calls = [...r.attempts.values()].reduce((a, b) => a + b, 0);
        assert.ok(transactions.size < calls, `${transactions.size} transactions for ${calls} handler calls`);
        assert.equal(r.attempts.get("batch-7"), 2, "the failing event ran once in its batch, once alone");
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await until("20 counted as handled", async () => (await h.count("handled")) === 20);
      });
    });

    test("a batch prepares every event before its transaction; one that cannot be prepared yet waits alone", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const preparedFor: string[] = [];
        let refusedOnce = false;
        const policy: Policy = {
          name: "prepareWhenPlaced",
          on: [testEvents.orderPlaced],
          async prepare(event) {
            const orderId = (event.message as unknown as { orderId: string }).orderId;
            if (orderId === "prep-3" && !refusedOnce) {
              refusedOnce = true;
              throw new RetryLaterError("not yet", 20);
            }
            return `address of ${orderId}`;
          },
          async handle(event, tx, prepared) {
            transactions.add(tx.db);
            preparedFor.push(String(prepared));
            await tx.db("handled").insert({ order_id: (event.message as unknown as { orderId: string }).orderId });
          },
        };
        await h.start(policy);
        await h.publish(orders(12, "prep"));
        await until("all 12 handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 12);
        assert.deepEqual(preparedFor.sort(), orders(12, "prep").map((o) => `address of ${o.orderId}`).sort(), "each handler got its own prepare's result");
        assert.ok(refusedOnce);
        assert.ok(transactions.size < 12, `${transactions.size} transactions for 12 events`);
      });
    });

    test("RetryLaterError: redelivered after its delay and handled, logged at debug only", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("waitWhenPlaced", (_e, attempt) => {
          if (attempt === 1) throw new RetryLaterError("payment not seen yet", 50);
        });
        await h.start(r.policy);
        await h.publish([{ orderId: "later" }]);
        await until("the event is handled", () => r.handledOnce("later"));
        assert.equal(r.attempts.get("later"), 2);
        assert.ok(h.logs.some((l) => l.level === "debug" && l.msg === "policy will retry later"));
        assert.ok(!h.logs.some((l) => l.level === "warn" || l.level === "error"));
      });
    });

    test("a malformed event is dead-lettered at once and never reaches the handler", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("strictWhenPlaced");
        await h.start(r.policy);
        const js = h.nats.nc.jetstream();
        const subject = `${h.nats.namespace}.flower.order.OrderPlaced`;
        const hdr = natsHeaders();
        hdr.set("Event-Type", "flower.v1.OrderPlaced");
        await js.publish(subject, new Uint8Array([0x0a, 0xff]), { msgID: "garbage-1", headers: hdr });
        const wrongType = natsHeaders();
        wrongType.set("Event-Type", "flower.v1.OrderCancelled");
        await js.publish(subject, new Uint8Array(), { msgID: "wrong-type-1", headers: wrongType });
        await h.publish([{ orderId: "fine" }]);
        await until("both are dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 2);
        await until("the good one is handled", () => r.handledOnce("fine"));
        const dead = await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace });
        assert.deepEqual(dead.map((d) => d.eventId).sort(), ["garbage-1", "wrong-type-1"]);
        for (const d of dead) {
          assert.match(d.reason, /^malformed event/);
          assert.equal(d.deliveryCount, 1);
        }
        assert.equal(r.calls.length, 1);
      });
    });

    test("a policy on several events filters on their system and ignores the rest; one across streams gets a consumer per stream", async () => {
      await withHarness(dialect, async (h) => {
        const seen: string[] = [];
        const policy: Policy = {
          name: "notifyOnOrderAndPayment",
          on: [testEvents.orderPlaced, testEvents.orderCancelled, testEvents.paymentApproved],
          async handle(event) {
            seen.push(event.type.name);
          },
        };
        const p = await h.start(policy);
        const filter = async (system: string) => (await h.nats.jsm.consumers.info(streamName(h.nats.namespace, system), p.consumer)).config.filter_subject;
        assert.equal(await filter("flower"), `${h.nats.namespace}.flower.order.>`, "the narrowest filter covering both");
        assert.equal(await filter("payment"), `${h.nats.namespace}.payment.flower.PaymentApproved`);
        await h.produce((tx) => {
          tx.emit(testEvents.flowerWrapped, { orderId: "w" }); // outside the filter: never delivered
          tx.emit(testEvents.orderRejected, { orderId: "r" }); // inside the filter, not handled: acked and ignored
          tx.emit(testEvents.orderPlaced, { orderId: "p" });
          tx.emit(testEvents.orderCancelled, { orderId: "c" });
          tx.emit(testEvents.paymentApproved, { paymentId: "pay" });
        });
        await until("three events are handled and one ignored", async () => seen.length === 3 && (await h.count("ignored")) === 1);
        assert.deepEqual([...seen].sort(), ["OrderCancelled", "OrderPlaced", "PaymentApproved"]);

        const wide: Policy = { name: "wideOnFlower", on: [testEvents.orderPlaced, testEvents.flowerWrapped], handle: async () => {} };
        const w = await h.start(wide);
        assert.equal((await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), w.consumer)).config.filter_subject, `${h.nats.namespace}.flower.>`);
      });
    });

    test("stop() lets the event in flight finish and acks it", async () => {
      await withHarness(dialect, async (h) => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered = false;
        const r = recordingPolicy("slowWhenPlaced", async () => {
          entered = true;
          await gate;
        });
        const p = await h.start(r.policy);
        await h.publish([{ orderId: "slow" }]);
        await until("the handler is running", () => entered);
        const stopped = p.stop();
        release();
        await stopped;
        assert.ok(r.handledOnce("slow"));
        await until("the event is acked", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), p.consumer);
          return info.num_ack_pending === 0 && info.num_pending === 0;
        });
      });
    });
  });
}
