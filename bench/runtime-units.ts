// The runtime's own price for the floor's event units, measured in the same run: one event through
// the outbox relay (claim, publish with its ack, delete), one delivery to a policy that does nothing
// (decode, context, the batch transaction with its inbox row, metrics, ack), and one delivery the
// consumer's filter lets through that its policy does not handle (NATS 2.9 takes one filter per
// consumer). Beside the floor's bare nats.js units they say where a saga's CPU above its floor goes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { openDatabase } from "../mesh/db/database.js";
import { connectNats } from "../mesh/events/connect-nats.js";
import { migrate } from "../mesh/db/migrate.js";
import { startPolicy, takesSeveralFilters, type RunningPolicy } from "../mesh/events/consumer.js";
import { on, policy, type Policy } from "../mesh/events/policy.js";
import { createOutboxRelay } from "../mesh/events/relay.js";
import { runtimeMigrations, runtimeMigrationsTable } from "../mesh/events/runtime-migrations.js";
import { ensureStreams } from "../mesh/events/streams.js";
import { createTransact } from "../mesh/events/transact.js";
import { createLogger } from "../mesh/log/logger.js";
import { createMetrics } from "../mesh/telemetry/metrics.js";
import { deleteNamespaceStreams } from "../mesh/testing/index.js";
import { OrderCancelled, OrderCancelRequested, OrderPlaced } from "../services/flower/events.js";
import { ownAndNatsCpuSeconds } from "./procs.js";

/** CPU per event, µs, of this process and nats-server together. */
export interface RuntimeUnits {
  relayPublishUs: number;
  deliverUs: number;
  /** Undefined on NATS 2.10 and later, which filter the consumer on exactly its subjects: nothing reaches it to ignore. */
  ignoredUs?: number;
}

export async function measureRuntimeUnits(natsUrl: string, natsPid: number | undefined, events = 10_000): Promise<RuntimeUnits> {
  const namespace = `units_${randomBytes(4).toString("hex")}`;
  const dir = await mkdtemp(join(tmpdir(), "runtime-units-"));
  const logger = createLogger({ service: "bench-units", level: "warn", write: (line) => process.stderr.write(line + "\n") });
  // The runtime's connection, as a service's (no async stack traces per request).
  const nc = await connectNats({ url: natsUrl, name: "bench-units", logger });
  const metrics = createMetrics("bench-units", { processMetrics: false });
  const producer = await openDatabase({ url: `sqlite://${join(dir, "producer.sqlite")}` });
  const consumer = await openDatabase({ url: `sqlite://${join(dir, "consumer.sqlite")}` });
  const running: RunningPolicy[] = [];
  const cpu = () => ownAndNatsCpuSeconds(natsPid);
  const perEvent = async (work: () => Promise<void>) => {
    const before = await cpu();
    await work();
    await nc.flush();
    return ((await cpu()) - before) * 1e6 / events;
  };
  const count = async (outcome: string) => (await metrics.eventsHandled.get()).values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  const until = async (done: () => Promise<boolean>) => {
    while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    await ensureStreams(await nc.jetstreamManager(), namespace, ["flower"]);
    for (const db of [producer, consumer]) await migrate(db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    const relay = createOutboxRelay({ db: producer, nc, namespace, logger, metrics });
    const produce = createTransact({ db: producer });
    for (let i = 0; i < events; i += 100) {
      await produce(async (tx) => {
        for (let j = i; j < Math.min(i + 100, events); j++) {
          tx.emit(OrderPlaced, {
            orderId: `order-${j}`, flowerId: "1", qty: 1, address: "Seoul, Gangnam-gu 123", phoneNumber: "010-1234-5678", isOffline: false,
            amount: { amount: 15000n, currency: "KRW" },
          });
        }
      });
    }
    const relayPublishUs = await perEvent(() => relay.flush());

    const start = (p: Policy) => startPolicy({ nc, db: consumer, namespace, service: "bench-units", policy: p, transact: createTransact({ db: consumer }), logger, metrics })
      .then((r) => (running.push(r), r));
    const deliverUs = await perEvent(async () => {
      await start(policy("doNothingWhenOrderPlaced", on(OrderPlaced, async () => {})));
      await until(async () => (await count("handled")) >= events);
    });
    // Two other subjects of the same context: on NATS 2.9 the consumer's filter is flower.order.>, OrderPlaced included.
    const ignoredUs = takesSeveralFilters(nc) ? undefined : await perEvent(async () => {
      await start(policy("doNothingWhenOrderCancelled", on(OrderCancelled, async () => {}), on(OrderCancelRequested, async () => {})));
      await until(async () => (await count("ignored")) >= events);
    });
    return { relayPublishUs, deliverUs, ignoredUs };
  } finally {
    for (const r of running) await r.stop();
    await deleteNamespaceStreams(natsUrl, namespace).catch(() => undefined);
    await nc.close();
    await producer.destroy();
    await consumer.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
