import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { runInContext } from "../context/call-context.js";
import { parseTraceparent } from "../context/trace.js";
import { migrate } from "../db/migrate.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../db/database-fixtures.js";
import { runtimeMigrations, runtimeMigrationsTable } from "./runtime-migrations.js";
import { testEvents } from "./event-fixtures.js";
import { createMetrics } from "../telemetry/metrics.js";
import { createTransact } from "./transact.js";

async function withDatabase(dialect: (typeof testDialects)[number], fn: (t: TestDatabase) => Promise<void>) {
  const t = await createTestDatabase(dialect);
  try {
    await migrate(t.db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    await t.db.schema.createTable("orders", (tb) => tb.string("id").primary());
    await fn(t);
  } finally {
    await t.drop();
  }
}

const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true };

for (const dialect of testDialects) {
  describe(`transact (${dialect})`, () => {
    test("commits the state change and its events together, then wakes the relay", async () => {
      await withDatabase(dialect, async ({ db }) => {
        let wakes = 0;
        const transact = createTransact({ db, onCommit: () => wakes++ });
        const result = await runInContext({ correlationId: "cmd-1", causationId: "req-9", trace }, () =>
          transact(async (tx) => {
            await tx.db("orders").insert({ id: "order-1" });
            tx.emit(testEvents.orderPlaced, { orderId: "order-1", qty: 3, amount: { amount: 1200n, currency: "KRW" } });
            tx.emit(testEvents.orderCancelled, { orderId: "order-2" });
            assert.equal(wakes, 0, "no wake-up before commit");
            return "ok";
          }),
        );
        assert.equal(result, "ok");
        assert.equal(wakes, 1);
        assert.deepEqual(await db("orders").pluck("id"), ["order-1"]);
        const rows = await db("outbox").orderBy("id");
        assert.equal(rows.length, 2);
        const [placed, cancelled] = rows;
        assert.equal(placed.subject, "sample.order.OrderPlaced");
        assert.equal(placed.type, "meshtest.v1.OrderPlaced");
        const message = fromBinary(OrderPlacedSchema, placed.payload);
        assert.equal(message.qty, 3);
        assert.equal(message.amount?.amount, 1200n);
        assert.deepEqual([placed.correlation_id, cancelled.correlation_id], ["cmd-1", "cmd-1"], "the command's, from the context");
        assert.deepEqual([placed.business_key, cancelled.business_key], ["order-1", "order-2"], "each event's own, from its type's key");
        assert.equal(placed.causation_id, "req-9");
        assert.equal(parseTraceparent(placed.traceparent)?.traceId, trace.traceId);
        const occurred = new Date(placed.occurred_at).getTime();
        assert.ok(Math.abs(Date.now() - occurred) < 60_000);
        assert.ok(placed.id < cancelled.id, "ids follow emit order");
      });
    });

    test("a throw rolls back both the state change and the events, and wakes nobody", async () => {
      await withDatabase(dialect, async ({ db }) => {
        let wakes = 0;
        const metrics = createMetrics("test", { processMetrics: false });
        const transact = createTransact({ db, onCommit: () => wakes++, metrics });
        await assert.rejects(
          transact(async (tx) => {
            await tx.db("orders").insert({ id: "order-2" });
            tx.emit(testEvents.orderPlaced, { orderId: "order-2" });
            throw new Error("refused");
          }),
          /refused/,
        );
        assert.equal(wakes, 0);
        const committed = async () => (await metrics.transactions.get()).values[0]?.value ?? 0;
        assert.equal(await committed(), 0, "a rolled-back transaction is not counted");
        await transact(async (tx) => void (await tx.db("orders").insert({ id: "order-3" })));
        assert.equal(await committed(), 1, "a commit is, events or not");
        await db("orders").where({ id: "order-3" }).delete();
        assert.deepEqual(await db("orders").pluck("id"), []);
        assert.deepEqual(await db("outbox").pluck("id"), []);
      });
    });

    test("outside any context the event is its own correlation id and starts a trace", async () => {
      await withDatabase(dialect, async ({ db }) => {
        const transact = createTransact({ db });
        await transact(async (tx) => tx.emit(testEvents.orderPlaced, { orderId: "o" }));
        const row = await db("outbox").first();
        assert.equal(row.correlation_id, row.id);
        assert.equal(row.business_key, "o");
        assert.equal(row.causation_id, null);
        assert.ok(parseTraceparent(row.traceparent));
      });
    });

    test("a large transaction's events are all written (chunked inserts)", async () => {
      await withDatabase(dialect, async ({ db }) => {
        const transact = createTransact({ db });
        await transact(async (tx) => {
          for (let i = 0; i < 1200; i++) tx.emit(testEvents.orderPlaced, { orderId: `o${i}`, qty: i });
        });
        const rows = await db("outbox").orderBy("id").select("payload");
        assert.equal(rows.length, 1200);
        assert.deepEqual(rows.map((r) => fromBinary(OrderPlacedSchema, r.payload).qty), Array.from({ length: 1200 }, (_, i) => i));
      });
    });

    test("emit after the transaction finished is an error, not a lost event", async () => {
      await withDatabase(dialect, async ({ db }) => {
        const transact = createTransact({ db });
        let late: (() => void) | undefined;
        await transact(async (tx) => {
          late = () => tx.emit(testEvents.orderPlaced, { orderId: "late" });
        });
        assert.throws(() => late!(), /after its transaction finished/);
      });
    });
  });
}
