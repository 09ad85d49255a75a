// What a transaction of transactionsOf promises on each dialect: all or nothing, one at a time
// against every other query, and no query of a finished transaction running in another's.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Knex } from "knex";
import { createTestDatabase, testDialects, type TestDatabase } from "./database-fixtures.js";
import { transactionsOf } from "./transactions.js";

async function withNotes(dialect: Parameters<typeof createTestDatabase>[0], fn: (t: TestDatabase) => Promise<void>): Promise<void> {
  const t = await createTestDatabase(dialect);
  try {
    await t.db.schema.createTable("notes", (table) => {
      table.string("id", 16).primary();
      table.integer("n").notNullable();
    });
    await fn(t);
  } finally {
    await t.drop();
  }
}

const ids = async (db: Knex) => ((await db("notes").select("id").orderBy("id")) as Array<{ id: string }>).map((r) => r.id);

for (const dialect of testDialects) {
  describe(`transactionsOf on ${dialect}`, () => {
    test("commits what the work wrote and returns its value; rolls all of it back when the work throws", async () => {
      await withNotes(dialect, async ({ db }) => {
        const inTransaction = transactionsOf(db);
        assert.equal(transactionsOf(db), inTransaction, "one per database");
        const value = await inTransaction(async (trx) => {
          await trx("notes").insert({ id: "a", n: 1 });
          await trx("notes").insert({ id: "b", n: 2 });
          return "done";
        });
        assert.equal(value, "done");
        await assert.rejects(inTransaction(async (trx) => {
          await trx("notes").insert({ id: "c", n: 3 });
          await trx("notes").where({ id: "a" }).update({ n: 10 });
          throw new Error("refused");
        }), /refused/);
        assert.deepEqual(await ids(db), ["a", "b"]);
        assert.equal((await db("notes").where({ id: "a" }).first()).n, 1, "the update rolled back with the insert");
        // A statement that fails rolls back the whole transaction, and the next one starts clean.
        await assert.rejects(inTransaction(async (trx) => {
          await trx("notes").insert({ id: "d", n: 4 });
          await trx("notes").insert({ id: "a", n: 5 });
        }));
        await inTransaction((trx) => trx("notes").insert({ id: "e", n: 6 }));
        assert.deepEqual(await ids(db), ["a", "b", "e"]);
      });
    });

    test("a COMMIT the database refuses rolls the transaction back, and the next one starts clean", async () => {
      await withNotes(dialect, async ({ db }) => {
        // On SQLite a foreign key checked at COMMIT: the statement passes, the commit is refused.
        if (dialect === "sqlite") {
          await db.raw("create table tags (note_id varchar(16) references notes(id) deferrable initially deferred)");
        } else {
          await db.schema.createTable("tags", (t) => t.string("note_id", 16).references("id").inTable("notes")); // checked at the statement

        }
        const inTransaction = transactionsOf(db);
        const refused = await inTransaction(async (trx) => {
          await trx("notes").insert({ id: "kept?", n: 1 });
          await trx("tags").insert({ note_id: "no such note" });
        }).then(() => undefined, (error: Error) => error);
        assert.match(String((refused as { code?: string } | undefined)?.code), /SQLITE_CONSTRAINT_FOREIGNKEY|ER_NO_REFERENCED_ROW/);
        await inTransaction((trx) => trx("notes").insert({ id: "next", n: 2 }));
        assert.deepEqual(await ids(db), ["next"], "nothing of the refused transaction stayed");
      });
    });

    test("transactions started together read and write one after the other: no update is lost", async () => {
      await withNotes(dialect, async ({ db }) => {
        await db("notes").insert({ id: "counter", n: 0 });
        const inTransaction = transactionsOf(db);
        // Read, yield, write: interleaved, half of these increments would be lost.
        await Promise.all(Array.from({ length: 40 }, () => inTransaction(async (trx) => {
          const row = await trx("notes").where({ id: "counter" }).forUpdate().first();
          await new Promise((resolve) => setImmediate(resolve));
          await trx("notes").where({ id: "counter" }).update({ n: row.n + 1 });
        })));
        assert.equal((await db("notes").where({ id: "counter" }).first()).n, 40);
      });
    });

    test("a query of a transaction that has ended is refused, and changes nothing", async () => {
      await withNotes(dialect, async ({ db }) => {
        const inTransaction = transactionsOf(db);
        let leaked: Knex | undefined;
        await inTransaction(async (trx) => {
          leaked = trx;
        });
        await assert.rejects(async () => {
          await leaked!("notes").insert({ id: "late", n: 1 });
        }, /Transaction query already complete/);
        // Not even while another transaction holds the connection.
        let inside: Promise<unknown> | undefined;
        await inTransaction(async (trx) => {
          inside = (async () => leaked!("notes").insert({ id: "stray", n: 1 }))().catch((error: Error) => error);
          await trx("notes").insert({ id: "own", n: 1 });
        });
        assert.match(String(await inside), /Transaction query already complete/);
        assert.deepEqual(await ids(db), ["own"]);
      });
    });
  });
}
