import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Knex } from "knex";
import type { StoredMsg } from "nats";
import { runInContext } from "../context/call-context.js";
import { migrate } from "../db/migrate.js";
import { openDatabase } from "../db/database.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../db/database-fixtures.js";
import { connectNats } from "./connect-nats.js";
import { createOutboxRelay, type OutboxRelayOptions } from "./relay.js";
import { runtimeMigrations, runtimeMigrationsTable } from "./runtime-migrations.js";
import { streamName } from "./subjects.js";
import { captureLogs, createTcpProxy, createTestNats, eventually, testEvents, testMetrics, type TestNats } from "./event-fixtures.js";
import { createTransact } from "./transact.js";

type Env = TestDatabase & { nats: TestNats; relay(o?: Partial<OutboxRelayOptions>): ReturnType<typeof createOutboxRelay>; logs: Record<string, unknown>[] };

async function withEnv(dialect: (typeof testDialects)[number], fn: (env: Env) => Promise<void>) {
  const t = await createTestDatabase(dialect);
  const nats = await createTestNats();
  const relays: ReturnType<typeof createOutboxRelay>[] = [];
  const { logger, lines } = captureLogs();
  try {
    await migrate(t.db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    const relay = (o: Partial<OutboxRelayOptions> = {}) => {
      const r = createOutboxRelay({ db: t.db, nc: nats.nc, namespace: nats.namespace, logger, metrics: testMetrics(), ...o });
      relays.push(r);
      return r;
    };
    await fn({ ...t, nats, relay, logs: lines });
  } finally {
    for (const r of relays) await r.stop();
    await nats.cleanup();
    await t.drop();
  }
}

const emitOrders = (db: Knex, ids: string[], onCommit?: () => void) =>
  createTransact({ db, onCommit })(async (tx) => {
    for (const id of ids) tx.emit(testEvents.orderPlaced, { orderId: id });
  });

async function published(nats: TestNats): Promise<StoredMsg[]> {
  const stream = streamName(nats.namespace, "sample");
  const { state } = await nats.jsm.streams.info(stream);
  const out: StoredMsg[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) out.push(await nats.jsm.streams.getMessage(stream, { seq }));
  return out;
}

const outboxCount = async (db: Knex) => Number((await db("outbox").count({ n: "*" }).first())!.n);

for (const dialect of testDialects) {
  describe(`outbox relay (${dialect})`, () => {
    test("publishes each committed event once, in id order, with its envelope headers; woken by commits", async () => {
      await withEnv(dialect, async ({ db, nats, relay }) => {
        const metrics = testMetrics();
        const r = relay({ metrics, pollMs: 60_000 }); // only a wake-up can make it publish in time
        r.start();
        const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true };
        await runInContext({ correlationId: "cmd-1", causationId: "cause-1", trace }, () => emitOrders(db, ["a", "b", "c"], r.wake));
        await eventually("three events in the stream", async () => (await published(nats)).length === 3);
        await eventually("the outbox to be empty", async () => (await outboxCount(db)) === 0);
        const msgs = await published(nats);
        const rows = msgs.map((m) => m.header);
        const ids = rows.map((h) => h.get("Nats-Msg-Id"));
        assert.deepEqual([...ids].sort(), ids, "in id order");
        assert.equal(msgs[0].subject, `${nats.namespace}.sample.order.OrderPlaced`);
        assert.deepEqual(rows.map((h) => h.get("Business-Key")), ["a", "b", "c"], "each event's own order");
        for (const h of rows) {
          assert.equal(h.get("Event-Type"), "meshtest.v1.OrderPlaced");
          assert.ok(!Number.isNaN(Date.parse(h.get("Occurred-At"))));
          assert.equal(h.get("x-correlation-id"), "cmd-1", "the one command that emitted all three");
          assert.equal(h.get("x-causation-id"), "cause-1");
          assert.match(h.get("traceparent"), new RegExp(`^00-${trace.traceId}-`));
        }
        assert.equal((await metrics.outboxPublished.get()).values[0].value, 3);
        await eventually("the backlog gauge to read 0", async () => (await metrics.outboxBacklog.get()).values[0]?.value === 0);
      });
    });

    test("a re-publish of the same event id (crash after publish, before delete) is de-duplicated", async () => {
      await withEnv(dialect, async ({ db, nats, relay, logs }) => {
        const r = relay();
        await emitOrders(db, ["x", "y"]);
        const rows = await db("outbox").select("*");
        await r.flush();
        assert.equal((await published(nats)).length, 2);
        await db("outbox").insert(rows); // as if the delete never happened
        await r.flush();
        assert.equal(await outboxCount(db), 0);
        assert.equal((await published(nats)).length, 2, "JetStream kept one copy of each");
        assert.equal(logs.filter((l) => String(l.msg).includes("de-duplicated")).length, 2);
      });
    });

    test("a row written before business keys were kept goes out keyed by its correlation id", async () => {
      await withEnv(dialect, async ({ db, nats, relay }) => {
        await emitOrders(db, ["old"]);
        await db("outbox").update({ business_key: null, correlation_id: "cmd-old" });
        await relay().flush();
        const [msg] = await published(nats);
        assert.deepEqual([msg.header.get("Business-Key"), msg.header.get("x-correlation-id")], ["cmd-old", "cmd-old"]);
      });
    });

    test("enabled:false never publishes; the next process's relay publishes what it left", async () => {
      await withEnv(dialect, async ({ db, nats, relay }) => {
        const crashed = relay({ enabled: false });
        crashed.start();
        await emitOrders(db, ["p", "q"], crashed.wake);
        await crashed.flush();
        assert.equal(await outboxCount(db), 2);
        assert.equal((await published(nats)).length, 0);
        const restarted = relay();
        restarted.start();
        await eventually("both events to be published", async () => (await published(nats)).length === 2);
        await eventually("the outbox to be empty", async () => (await outboxCount(db)) === 0);
      });
    });

    test("while NATS is unreachable rows are kept; they are published once it is back", async () => {
      await withEnv(dialect, async ({ db, nats, relay, logs }) => {
        const proxy = await createTcpProxy();
        const { logger } = captureLogs();
        const nc = await connectNats({ url: proxy.url, name: "relay-outage", logger, reconnectWaitMs: 100 });
        try {
          const r = relay({ nc, publishTimeoutMs: 300 });
          r.start();
          await proxy.cut();
          await emitOrders(db, ["o1", "o2", "o3", "o4", "o5"], r.wake);
          await eventually("the relay to report a failed publish", () => logs.some((l) => String(l.msg).includes("could not publish")));
          assert.equal(await outboxCount(db), 5, "rows kept while NATS is down");
          await proxy.restore();
          await eventually("the outbox to be empty", async () => (await outboxCount(db)) === 0);
          const ids = (await published(nats)).map((m) => m.header.get("Nats-Msg-Id"));
          assert.equal(ids.length, 5);
          assert.equal(new Set(ids).size, 5, "each once");
          await r.stop();
        } finally {
          await nc.close();
          await proxy.close();
        }
      });
    });

    test("flush publishes a large backlog in batches (many publishes in flight)", async (t) => {
      await withEnv(dialect, async ({ db, nats, relay }) => {
        const n = 3000;
        await emitOrders(db, Array.from({ length: n }, (_, i) => `bulk-${i}`));
        const r = relay({ batchSize: 256 });
        const started = performance.now();
        await r.flush();
        const ms = performance.now() - started;
        t.diagnostic(`${dialect}: ${n} events published in ${ms.toFixed(0)} ms (${Math.round((n / ms) * 1000)} events/s)`);
        assert.equal(await outboxCount(db), 0);
        assert.equal((await nats.jsm.streams.info(streamName(nats.namespace, "sample"))).state.messages, n);
      });
    });

    if (dialect === "mysql") {
      test("two replicas' relays on one database claim different rows (SKIP LOCKED): no event published twice", async () => {
        await withEnv(dialect, async ({ db, url, nats, relay, logs }) => {
          const replica = await openDatabase({ url });
          try {
            const n = 2000;
            await emitOrders(db, Array.from({ length: n }, (_, i) => `r-${i}`));
            const a = testMetrics();
            const b = testMetrics();
            await Promise.all([relay({ metrics: a, batchSize: 64 }).flush(), relay({ db: replica, metrics: b, batchSize: 64 }).flush()]);
            const countA = (await a.outboxPublished.get()).values[0]?.value ?? 0;
            const countB = (await b.outboxPublished.get()).values[0]?.value ?? 0;
            assert.equal(countA + countB, n);
            // A round that lost a lock conflict to the other replica (MariaDB, rarely) rolled back
            // after publishing: its events went out again, de-duplicated. Otherwise none twice.
            const conflicts = logs.filter((l) => String(l.msg).includes("rolled back by a lock conflict")).length;
            if (conflicts === 0) assert.equal(logs.filter((l) => String(l.msg).includes("de-duplicated")).length, 0);
            assert.equal((await nats.jsm.streams.info(streamName(nats.namespace, "sample"))).state.messages, n);
          } finally {
            await replica.destroy();
          }
        });
      });
    }
  });
}
