// The harness of the consumer tests: a fresh database with the runtime's tables, a test
// namespace on the real NATS, a relay, and policies that record what they were given.
import { connect, type NatsConnection } from "nats";
import type { OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { currentContext, runInContext, type CallContext } from "../context/call-context.js";
import { childSpan, type TraceContext } from "../context/trace.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../db/database-fixtures.js";
import { startPolicy, type RunningPolicy, type StartPolicyOptions } from "./consumer.js";
import type { ReceivedEvent } from "./event-type.js";
import { on, policy, type Policy } from "./policy.js";
import { createOutboxRelay } from "./relay.js";
import { runtimeMigrations, runtimeMigrationsTable } from "./runtime-migrations.js";
import { captureLogs, createTestNats, testEvents, testMetrics, testNatsUrl, type TestNats } from "./event-fixtures.js";
import { createTransact } from "./transact.js";
import type { Transact, Transaction } from "./transaction.js";

export interface Harness extends TestDatabase {
  nats: TestNats;
  metrics: ReturnType<typeof testMetrics>;
  logs: Record<string, unknown>[];
  /**
   * Emits each OrderPlaced in its own transaction of the producing service (in order), then
   * publishes them all. An event with a correlationId is emitted by that command (in its
   * context, on `trace` when given); one without, outside any.
   */
  publish(events: TestOrder[], trace?: TraceContext): Promise<void>;
  /** Runs one transaction of the producing service, then publishes what it emitted. */
  produce(work: (tx: Transaction) => void): Promise<void>;
  /** The consuming service's transact, which its policies share (a batcher shared by several takes it). */
  transact: Transact;
  start(policy: Policy, options?: Partial<StartPolicyOptions>): Promise<RunningPolicy>;
  connection(): Promise<NatsConnection>;
  count(outcome: string, consumer?: string): Promise<number>;
}

/** An OrderPlaced to publish, and the command that places it. */
export interface TestOrder {
  orderId: string;
  qty?: number;
  correlationId?: string;
}

/** Runs `fn` with a fresh harness on `dialect`, on the tests' NATS or the one at `natsUrl`. */
export async function withHarness(dialect: (typeof testDialects)[number], fn: (h: Harness) => Promise<void>, natsUrl = testNatsUrl) {
  const t = await createTestDatabase(dialect);
  // The service emitting the events has a database of its own, as in production.
  const producerDb = await openDatabase({ url: "sqlite::memory:" });
  const nats = await createTestNats(natsUrl);
  const { logger, lines } = captureLogs();
  const metrics = testMetrics();
  const running: RunningPolicy[] = [];
  const connections: NatsConnection[] = [];
  try {
    await migrate(t.db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    await migrate(producerDb, runtimeMigrations, { tableName: runtimeMigrationsTable });
    // One row per event handled (an order may have several), rolled back with a failed attempt.
    await t.db.schema.createTable("handled", (tb) => {
      tb.string("event_id").primary();
      tb.string("order_id").notNullable();
    });
    const relay = createOutboxRelay({ db: producerDb, nc: nats.nc, namespace: nats.namespace, logger, metrics: testMetrics() });
    const produce = createTransact({ db: producerDb });
    const transact = createTransact({ db: t.db });
    const h: Harness = {
      ...t, nats, metrics, logs: lines, transact,
      async publish(events, trace) {
        for (const e of events) {
          const emit = () => produce(async (tx) => tx.emit(testEvents.orderPlaced, { orderId: e.orderId, qty: e.qty ?? 0 }));
          await (e.correlationId ? runInContext({ correlationId: e.correlationId, trace: trace ?? childSpan() }, emit) : emit());
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
        const nc = await connect({ servers: natsUrl });
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

type Placed = ReceivedEvent<typeof OrderPlacedSchema>;

/** A policy on OrderPlaced that records each call, writes a row, and runs `body` (attempts counted per order). */
export function recordingPolicy(name: string, body?: (e: Placed, attempt: number, tx: Transaction) => Promise<void> | void) {
  const calls: { event: Placed; ctx: CallContext | undefined }[] = [];
  const attempts = new Map<string, number>();
  const recording: Policy = policy(name, on(testEvents.orderPlaced, async (e, tx) => {
    const attempt = (attempts.get(e.message.orderId) ?? 0) + 1;
    attempts.set(e.message.orderId, attempt);
    await tx.db("handled").insert({ event_id: e.id, order_id: e.message.orderId });
    await body?.(e, attempt, tx);
    calls.push({ event: e, ctx: currentContext() });
  }));
  const handledOnce = (orderId: string) => calls.filter((c) => c.event.message.orderId === orderId).length === 1;
  return { policy: recording, calls, attempts, handledOnce };
}

/** `n` orders, each placed by a command of its own. */
export const orders = (n: number, prefix: string): TestOrder[] =>
  Array.from({ length: n }, (_, i) => ({ orderId: `${prefix}-${i}`, correlationId: `${prefix}-cmd-${i}` }));
export const trace = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true };
