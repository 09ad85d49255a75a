// Compensated calls on each dialect: an effect elsewhere is kept only with the result saved after
// it; a failed call, a refused result, or a note whose process died is compensated exactly once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Knex } from "knex";
import { OrderRejectedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { testDialects, withMigratedDatabase } from "../db/database-fixtures.js";
import { migrate } from "../db/migrate.js";
import { eventsOf } from "../events/domain-events.js";
import { testEvents } from "../events/event-fixtures.js";
import { runtimeMigrations, runtimeMigrationsTable } from "../events/runtime-migrations.js";
import { createTransact } from "../events/transact.js";
import { createLogger } from "../log/logger.js";
import { markNeverSent } from "../rpc/never-sent.js";
import { rpcError } from "../testing/rpc-outcomes.js";
import { compensatedCalls, pendingCalls } from "./compensated-calls.js";

type Abandoned = { type: "OrderRejected"; orderId: string; reason: string };
const events = eventsOf<Abandoned>()({ OrderRejected: testEvents.orderRejected });

async function withCalls(dialect: (typeof testDialects)[number], fn: (env: { db: Knex; calls: ReturnType<typeof compensatedCalls> }) => Promise<void>) {
  await withMigratedDatabase(dialect, pendingCalls.migrations, async ({ db }) => {
    await migrate(db, runtimeMigrations, { tableName: runtimeMigrationsTable });
    const transact = createTransact({ db });
    const calls = compensatedCalls<Abandoned>({
      db, transact, logger: createLogger({ service: "test", level: "error", write: () => {} }), events,
      compensation: (orderId, reason) => ({ type: "OrderRejected", orderId, reason }), abandonAfterMs: 60_000, sweepEveryMs: 3_600_000,
    });
    try {
      await fn({ db, calls });
    } finally {
      await calls.sweeper.stop();
    }
  });
}

const compensations = async (db: Knex) =>
  (await db("outbox").orderBy("id").select("subject", "business_key", "payload")).map((r) => ({ subject: r.subject, key: r.business_key, reason: fromBinary(OrderRejectedSchema, r.payload).reason }));
const notes = async (db: Knex) => (await db(pendingCalls.name).select(pendingCalls.column("key"))).map((r) => Object.values(r)[0]);

for (const dialect of testDialects) {
  describe(`compensated calls (${dialect})`, () => {
    test("a call whose result is saved leaves no note and no compensation; the note exists while the call is under way", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        let during: unknown[] = [];
        const saved = await calls.run("o-1", async () => ((during = await notes(db)), "paid"), async (tx, result) => {
          await tx.db(pendingCalls.name).count({ n: "*" }); // the result's own transaction
          return `${result} and placed`;
        });
        assert.equal(saved, "paid and placed");
        assert.deepEqual(during, ["o-1"], "written down before the call was made");
        assert.deepEqual(await notes(db), []);
        assert.deepEqual(await compensations(db), []);
      });
    });

    test("a failed call is compensated once, and its error reaches the caller unchanged", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        const failure = new Error("payment is unavailable");
        await assert.rejects(calls.run("o-2", () => Promise.reject(failure), async () => assert.fail("no result to save")), (e) => e === failure);
        assert.deepEqual(await compensations(db), [{ subject: "sample.order.OrderRejected", key: "o-2", reason: "payment is unavailable" }]);
        assert.deepEqual(await notes(db), []);
        assert.equal(await calls.sweep(), 0, "nothing left for the sweeper");
      });
    });

    test("a call that never left the process (breaker open, no connection) is not compensated: the key may be tried again", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        const refusedByBreaker = new Error("payment is unavailable right now; please pay later");
        markNeverSent(refusedByBreaker);
        await assert.rejects(calls.run("o-5", () => Promise.reject(refusedByBreaker), async () => assert.fail("no result to save")), (e) => e === refusedByBreaker);
        assert.deepEqual(await compensations(db), []);
        assert.deepEqual(await notes(db), []);
        assert.equal(await calls.run("o-5", async () => "paid", async (_tx, result) => result), "paid", "tried again once the dependency is back");
      });
    });

    test("a result that cannot be saved (declined, or the save failed) is compensated, and nothing of it is kept", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        await assert.rejects(calls.run("o-3", async () => "declined", async (tx) => {
          await tx.db(pendingCalls.name).insert({ key: "written-then-rolled-back", started_at: new Date() });
          throw new Error("payment declined");
        }), /payment declined/);
        assert.deepEqual((await compensations(db)).map((c) => [c.key, c.reason]), [["o-3", "payment declined"]]);
        assert.deepEqual(await notes(db), [], "the save rolled back with its transaction");
      });
    });

    test("a result that shows no effect (declined) is refused with its own error and needs no compensation", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        const declined = new Error("payment declined");
        await assert.rejects(calls.run("o-4", async () => "declined", async () => assert.fail("not saved"), { refusal: (r) => (r === "declined" ? declined : undefined) }), (e) => e === declined);
        assert.deepEqual(await compensations(db), []);
        assert.deepEqual(await notes(db), []);
      });
    });

    test("a note whose process died is compensated by the sweeper once it is older than the bound; the late result is then refused, not saved", async () => {
      await withCalls(dialect, async ({ db, calls }) => {
        await db(pendingCalls.name).insert({ key: "o-dead", started_at: new Date(Date.now() - 120_000) });
        await db(pendingCalls.name).insert({ key: "o-young", started_at: new Date() });
        assert.equal(await calls.sweep(), 1);
        assert.equal(await calls.sweep(), 0, "compensated once");
        assert.deepEqual((await compensations(db)).map((c) => c.key), ["o-dead"]);
        assert.deepEqual(await notes(db), ["o-young"], "a call still under way is left alone");

        // The command answered after the sweeper took its note: the result must not be saved.
        let saved = false;
        const late = await rpcError(calls.run("o-late", async () => {
          await db(pendingCalls.name).where(pendingCalls.column("key"), "o-late").update({ started_at: new Date(Date.now() - 120_000) });
          await calls.sweep();
          return "paid";
        }, async () => ((saved = true), "placed")));
        assert.equal(late.code, Code.Unavailable);
        assert.equal(saved, false);
        assert.deepEqual((await compensations(db)).map((c) => c.key), ["o-dead", "o-late"], "compensated once, by the sweeper");
      });
    });
  });
}
