// A declared table's finders and writers on each dialect: what `where`, `list` and `save` mean.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Knex } from "knex";
import type { Money } from "../kernel/money.js";
import { eventually } from "../testing/eventually.js";
import { int, money, text, timestamp } from "./columns.js";
import { testDialects, withMigratedDatabase } from "./database-fixtures.js";
import { isDuplicateKey } from "./lost-race.js";
import { table } from "./table.js";
import { idleConnectionOf } from "./sqlite-connection.js";
import { connectionOf, transactionsOf } from "./transactions.js";
import { errorFields } from "../log/error-fields.js";

interface Item {
  id: string;
  name: string;
  shelf?: string;
  stock: number;
  price: Money;
}

const items = table<Item>("items", {
  id: text(36).key(),
  name: text(40).unique(),
  shelf: text(10).optional().index(),
  stock: int(),
  price: money(),
});

// A key of two fields, and an identity besides it (the order's line for an item).
interface Line {
  orderId: string;
  lineNo: number;
  itemId: string;
  qty: number;
  addedAt: Date;
}

const lines = table<Line>("order_lines", {
  orderId: text(36).key(),
  lineNo: int().key(),
  itemId: text(36),
  qty: int(),
  addedAt: timestamp(),
}, { unique: [["orderId", "itemId"]], indexes: [["itemId", "qty"]] });

const krw = (amount: number): Money => ({ amount: BigInt(amount), currency: "KRW" });
const rose: Item = { id: "rose", name: "Rose", shelf: "A", stock: 3, price: krw(1500) };
const tulip: Item = { id: "tulip", name: "Tulip", shelf: "A", stock: 0, price: krw(900) };
const lily: Item = { id: "lily", name: "Lily", stock: 7, price: krw(2000) };

// Statements of this test's database that are running (a locking read blocked on a row, here).
async function running(db: Knex, sqlPattern: string): Promise<number> {
  const [rows] = await db.raw(
    "select count(*) as n from information_schema.processlist where db = database() and command = 'Query' and info like ?",
    [sqlPattern],
  );
  return Number(rows[0].n);
}

const rejection = (promise: Promise<unknown>) => promise.then(() => assert.fail("expected a rejection"), (e: unknown) => e);

for (const dialect of testDialects) {
  describe(`table (${dialect})`, () => {
    const withItems = (fn: Parameters<typeof withMigratedDatabase>[2]) =>
      withMigratedDatabase(dialect, [...items.migrations, ...lines.migrations], async (t) => {
        for (const i of [rose, tulip, lily]) await items.insert(t.db, i);
        await fn(t);
      });

    test("find: by the key's value, or by fields that must all match; undefined fields are ignored; unknown or money fields are refused", async () => {
      await withItems(async ({ db }) => {
        assert.deepEqual(await items.find(db, "rose"), rose);
        assert.equal(await items.find(db, "nope"), undefined);
        assert.deepEqual(await items.find(db, { name: "Tulip" }), tulip);
        assert.deepEqual(await items.find(db, { name: "Tulip", shelf: undefined }), tulip);
        assert.equal(await items.find(db, { name: "Tulip", stock: 1 }), undefined);
        const at = new Date("2026-01-02T03:04:05.678Z");
        await lines.insert(db, { orderId: "o-1", lineNo: 1, itemId: "rose", qty: 2, addedAt: at });
        await lines.insert(db, { orderId: "o-1", lineNo: 2, itemId: "lily", qty: 1, addedAt: at });
        assert.equal((await lines.find(db, { orderId: "o-1", lineNo: 2 }))?.itemId, "lily");
        assert.deepEqual(await lines.find(db, { orderId: "o-1", itemId: "rose" }), { orderId: "o-1", lineNo: 1, itemId: "rose", qty: 2, addedAt: at });
        await assert.rejects(lines.find(db, "o-1"), /table order_lines has a key of 2 fields: find by an object/);
        await assert.rejects(items.find(db, { nope: 1 } as never), /table items has no field nope/);
        await assert.rejects(items.find(db, { price: krw(1500) }), /table items: price cannot be matched in a where clause/);
      });
    });

    test("list: where, conditions in SQL terms by field, order and limit", async () => {
      await withItems(async ({ db }) => {
        const ids = (list: Item[]) => list.map((i) => i.id);
        assert.deepEqual(ids(await items.list(db, { orderBy: [["id", "asc"]] })), ["lily", "rose", "tulip"]);
        assert.deepEqual(ids(await items.list(db, { where: { shelf: "A" }, orderBy: [["stock", "desc"]] })), ["rose", "tulip"]);
        assert.deepEqual(ids(await items.list(db, { match: (q, column) => q.where(column("stock"), ">", 0), orderBy: [["name", "asc"]] })), ["lily", "rose"]);
        assert.deepEqual(ids(await items.list(db, { match: (q, column) => q.whereNull(column("shelf")) })), ["lily"]);
        assert.deepEqual(ids(await items.list(db, { orderBy: [["stock", "asc"]], limit: 2 })), ["tulip", "rose"]);
      });
    });

    test("upsert: inserts a new key, replaces the row of a known one, in one statement", async () => {
      await withItems(async ({ db }) => {
        const iris: Item = { id: "iris", name: "Iris", stock: 2, price: krw(2500), shelf: "B" };
        await items.upsert(db, iris);
        assert.deepEqual(await items.find(db, "iris"), iris);
        await items.upsert(db, { id: "iris", name: "Iris", stock: 7, price: krw(2600) });
        assert.deepEqual(await items.find(db, "iris"), { id: "iris", name: "Iris", stock: 7, price: krw(2600) }, "every column replaced, the optional one cleared");
        assert.equal((await items.list(db, { where: { id: "iris" } })).length, 1);
      });
    });

    test("inside a transaction (on SQLite, run straight on its connection) every finder and writer by key means the same", async () => {
      await withItems(async ({ db }) => {
        const at = new Date("2026-03-04T05:06:07.089Z");
        const peony: Item = { id: "peony", name: "Peony", stock: 4, price: krw(9_007_199_254_740_993) }; // above 2^53: exact
        const leaked = await transactionsOf(db)(async (trx) => {
          assert.equal(connectionOf(trx) !== undefined, dialect === "sqlite", "the direct path is SQLite's only");
          assert.deepEqual(await items.find(trx, "rose", { lock: true }), rose);
          assert.deepEqual(await items.find(trx, { name: "Tulip", shelf: undefined }), tulip);
          assert.equal(await items.find(trx, { name: "Tulip", stock: 1 }), undefined);
          await items.insert(trx, peony);
          assert.deepEqual(await items.find(trx, "peony"), peony, "an optional field left out reads back undefined");
          assert.equal(await items.update(trx, { ...rose, stock: 8, shelf: undefined }), 1);
          await items.save(trx, { ...tulip, stock: 5 }, tulip);
          await items.upsert(trx, { id: "lily", name: "Lily", stock: 1, price: krw(2100), shelf: "C" });
          await lines.insert(trx, { orderId: "o-9", lineNo: 1, itemId: "rose", qty: 2, addedAt: at });
          assert.deepEqual(await lines.find(trx, { orderId: "o-9", lineNo: 1 }), { orderId: "o-9", lineNo: 1, itemId: "rose", qty: 2, addedAt: at });
          assert.equal(await lines.delete(trx, { orderId: "o-9", lineNo: 1 }), 1);
          const duplicate = await rejection(items.insert(trx, { ...lily, id: "lily-2" }));
          assert.ok(isDuplicateKey(duplicate), "name is unique");
          const logged = errorFields(duplicate as Error);
          assert.match(String(logged.statement), /^insert into `items`/, "the log names the statement");
          assert.doesNotMatch(JSON.stringify(logged), /lily-2/, "and not the values it carried");
          return trx;
        });
        assert.equal(connectionOf(leaked), undefined, "no connection once the transaction ended");
        assert.deepEqual(await items.find(db, "peony"), peony);
        assert.deepEqual(await items.find(db, "rose"), { id: "rose", name: "Rose", stock: 8, price: krw(1500) }, "update cleared the optional field");
        assert.deepEqual(await items.find(db, "tulip"), { ...tulip, stock: 5 });
        assert.deepEqual(await items.find(db, "lily"), { id: "lily", name: "Lily", stock: 1, price: krw(2100), shelf: "C" });
        assert.equal(await lines.find(db, { orderId: "o-9", lineNo: 1 }), undefined);
      });
    });

    test("outside a transaction (on SQLite, straight on the idle connection) a finder or writer never reads or lands in one that is open", async () => {
      await withItems(async ({ db }) => {
        assert.equal(idleConnectionOf(db) !== undefined, dialect === "sqlite", "the direct path is SQLite's only");
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let begin!: () => void;
        const begun = new Promise<void>((resolve) => (begin = resolve));
        const rolledBack = transactionsOf(db)(async (trx) => {
          await items.update(trx, { ...rose, stock: 99 });
          begin();
          await gate;
          throw new Error("rolled back");
        });
        await begun;
        assert.equal(idleConnectionOf(db), undefined, "not while a transaction holds the connection");
        const settled: string[] = [];
        const read = items.find(db, "rose").finally(() => settled.push("read"));
        const write = items.update(db, { ...lily, stock: 42 }).finally(() => settled.push("write"));
        await new Promise((resolve) => setTimeout(resolve, 30));
        // SQLite's one connection is the transaction's until it ends; MySQL's other connections go on.
        if (dialect === "sqlite") assert.deepEqual(settled, [], "both wait for the transaction");
        release();
        await assert.rejects(rolledBack, /rolled back/);
        assert.deepEqual(await read, rose, "the uncommitted stock was never read");
        assert.equal(await write, 1);
        assert.deepEqual(await items.find(db, "lily"), { ...lily, stock: 42 }, "the write was its own, not rolled back with the transaction");
        assert.deepEqual(await items.find(db, "rose"), rose);
      });
    });

    test("save writes only the columns that changed, and no statement at all when none did", async () => {
      await withItems(async ({ db }) => {
        const statements: string[] = [];
        // Through knex, and on SQLite straight on the connection as well.
        const listen = (q: { sql: string }) => statements.push(q.sql);
        db.on("query", listen);
        const conn = idleConnectionOf(db);
        const prepare = conn?.prepare;
        if (conn && prepare) conn.prepare = (sql) => (statements.push(sql), prepare(sql));
        try {
          const before = (await items.find(db, "rose"))!;
          statements.length = 0;
          await items.save(db, { ...before, stock: before.stock + 1 }, before);
          await items.save(db, { ...before, price: { ...before.price } }, before);
          assert.deepEqual(statements, ["update `items` set `stock` = ? where `id` = ?"]);
        } finally {
          db.removeListener("query", listen);
          if (conn && prepare) conn.prepare = prepare;
        }
        assert.equal((await items.find(db, "rose"))!.stock, rose.stock + 1);
      });
    });

    test("save: inserts when there was none, updates when there was one, writes nothing for the same object", async () => {
      await withItems(async ({ db }) => {
        const peony: Item = { id: "peony", name: "Peony", stock: 1, price: krw(3000) };
        await items.save(db, peony, undefined);
        assert.deepEqual(await items.find(db, "peony"), peony);

        const before = (await items.find(db, "rose"))!;
        const after = { ...before, stock: 9, shelf: undefined };
        await items.save(db, after, before);
        assert.deepEqual(await items.find(db, "rose"), { id: "rose", name: "Rose", stock: 9, price: krw(1500) }, "an optional field set to undefined is cleared");

        const ghost: Item = { id: "ghost", name: "Ghost", stock: 0, price: krw(0) };
        await items.save(db, ghost, ghost);
        assert.equal(await items.find(db, "ghost"), undefined, "unchanged: not even an insert");

        assert.ok(isDuplicateKey(await rejection(items.save(db, { ...peony, name: "Other" }, undefined))), "a new aggregate with a taken key");
        assert.equal(await items.update(db, { ...lily, stock: 8 }), 1);
        assert.equal(await items.update(db, { ...ghost }), 0);
        assert.equal(await items.delete(db, { shelf: "A" }), 1, "tulip (rose left the shelf)");
        assert.equal(await items.delete(db, "nope"), 0);
      });
    });

    test("unique columns and unique field sets refuse a second row with the same values", async () => {
      await withItems(async ({ db }) => {
        assert.ok(isDuplicateKey(await rejection(items.insert(db, { ...lily, id: "lily-2" }))), "name is unique");
        const at = new Date();
        await lines.insert(db, { orderId: "o-1", lineNo: 1, itemId: "rose", qty: 1, addedAt: at });
        await lines.insert(db, { orderId: "o-2", lineNo: 1, itemId: "rose", qty: 1, addedAt: at });
        assert.ok(isDuplicateKey(await rejection(lines.insert(db, { orderId: "o-1", lineNo: 2, itemId: "rose", qty: 5, addedAt: at }))), "one line per item and order");
      });
    });

    if (dialect === "mysql") {
      test("find with lock holds the row until the transaction ends", async () => {
        await withItems(async ({ db }) => {
          const steps: string[] = [];
          const first = await db.transaction();
          await items.find(first, "rose", { lock: true });
          const second = db.transaction(async (trx) => {
            const seen = await items.find(trx, "rose", { lock: true });
            steps.push(`second read stock ${seen?.stock}`);
          });
          await eventually("the second transaction to wait for the row", async () => (await running(db, "select % from `items` where `id` = 'rose' limit 1 for update")) === 1);
          await items.update(first, { ...rose, stock: 1 });
          steps.push("first commits");
          await first.commit();
          await second;
          assert.deepEqual(steps, ["first commits", "second read stock 1"]);
        });
      });
    }
  });
}

test("declaration mistakes are errors naming the table and the field", () => {
  assert.throws(() => table<{ id: string }>("keyless", { id: text(36) }), /table keyless declares no key column/);
  assert.throws(() => items.column("nope" as never), /table items has no field nope/);
  assert.throws(() => table<{ id: string }>("odd", { id: text(36).key().named("my`id") }), /table odd: id's column name "my`id" is not lower snake_case/);
});
