// Every column kind, written and read back through a declared table on each dialect: the place
// where the drivers' differences (booleans, dates, 64-bit integers, NULL) must not show.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Money } from "../kernel/money.js";
import { bigint, bool, int, json, longText, money, text, timestamp } from "./columns.js";
import { testDialects, withMigratedDatabase } from "./database-fixtures.js";
import { migrate } from "./migrate.js";
import { table } from "./table.js";

interface Sample {
  id: string;
  status: "Placed" | "Cancelled";
  notes: string;
  count: number;
  total: bigint;
  active: boolean;
  seenAt: Date;
  price: Money;
  discount?: Money;
  tags: { names: string[]; weight: number };
  nickname?: string;
  legacyCode: string;
}

const samples = table<Sample>("samples", {
  id: text(36).key(),
  status: text<Sample["status"]>(20),
  notes: longText(),
  count: int(),
  total: bigint(),
  active: bool(),
  seenAt: timestamp(),
  price: money(),
  discount: money().optional(),
  tags: json<Sample["tags"]>(),
  nickname: text(40).optional(),
  legacyCode: text(10).named("code"),
});

// The whole signed 64-bit range, past what a JS number holds exactly (2^53).
const max = 9_223_372_036_854_775_807n;
const min = -9_223_372_036_854_775_808n;

// The edges of each kind: the extremes, and the optional fields left out.
const low: Sample = {
  id: "low", status: "Placed", notes: "", count: -2147483648, total: min, active: false,
  seenAt: new Date("1970-01-01T00:00:00.001Z"), price: { amount: min, currency: "USD" }, tags: { names: [], weight: 0 }, legacyCode: "",
};
const high: Sample = {
  id: "high", status: "Cancelled", notes: `Crème brûlée, "quoted"\nand 'single'; ${"x".repeat(10_000)}`, count: 2147483647, total: max, active: true,
  seenAt: new Date("2026-03-04T05:06:07.089Z"), price: { amount: max, currency: "KRW" }, discount: { amount: 0n, currency: "KRW" },
  tags: { names: ["a", "ü", 'q"uote'], weight: 1.5 }, nickname: "Rosie 🌹", legacyCode: "X-1",
};

for (const dialect of testDialects) {
  describe(`columns (${dialect})`, () => {
    test("every kind round-trips exactly: extremes, bigint and money over the whole 64-bit range, ms timestamps, money, json; optional ones as undefined", async () => {
      await withMigratedDatabase(dialect, samples.migrations, async ({ db }) => {
        for (const s of [low, high]) await samples.insert(db, s);
        assert.deepEqual(await samples.find(db, "low"), low);
        assert.deepEqual(await samples.find(db, "high"), high);
        const read = (await samples.find(db, "low"))!;
        assert.ok(!("nickname" in read) && !("discount" in read), "a NULL is an absent field, not a null");
      });
    });

    test("columns are named in snake_case, .named() overrides it, money is its amount and <name>_currency", async () => {
      await withMigratedDatabase(dialect, samples.migrations, async ({ db }) => {
        assert.deepEqual(Object.keys(await db("samples").columnInfo()).sort(), [
          "active", "code", "count", "discount", "discount_currency", "id", "nickname", "notes",
          "price", "price_currency", "seen_at", "status", "tags", "total",
        ]);
        assert.equal(samples.column("seenAt"), "seen_at");
        assert.equal(samples.column("legacyCode"), "code");
        await samples.insert(db, high);
        // Read past the table, as another program would: the 64-bit amount as the database holds it.
        const row = await db("samples").select("*", db.raw("CAST(price AS CHAR) AS price_text")).first();
        assert.equal(row.code, "X-1");
        assert.equal(JSON.parse(row.tags).weight, 1.5, "JSON is kept as text");
        assert.equal(row.price_text, String(max));
        assert.equal(row.price_currency, "KRW");
      });
    });

    test(".since(migration) adds a column to an existing table; old rows read an optional one as undefined, a required one as its backfill", async () => {
      interface Note {
        id: string;
        body: string;
        pinnedAt?: Date;
        color?: string;
        stars?: number;
        votes: number;
      }
      const notesV1 = table<Pick<Note, "id" | "body">>("notes", { id: text(36).key(), body: longText() });
      const notesV2 = table<Note>("notes", {
        id: text(36).key(),
        body: longText(),
        pinnedAt: timestamp().optional().since("0001_notes_pinned"),
        color: text(10).optional().since("0001_notes_pinned"),
        stars: int().optional().since("0002_notes_stars"),
        votes: int().since("0002_notes_stars", 0),
      });
      const pinned: Note = { id: "n2", body: "new", pinnedAt: new Date("2026-05-06T07:08:09.010Z"), color: "red", stars: 3, votes: 7 };
      assert.throws(() => table<Pick<Note, "id" | "votes">>("notes", { id: text(36).key(), votes: int().since("0002_notes_votes") }),
        /votes is added by 0002_notes_votes and required, so rows already there need a value: \.since\("0002_notes_votes", value\)/);

      await withMigratedDatabase(dialect, notesV1.migrations, async ({ db }) => {
        await notesV1.insert(db, { id: "n1", body: "old" });
        assert.deepEqual(await migrate(db, notesV2.migrations, { tableName: "migrations" }), ["0001_notes_pinned", "0002_notes_stars"]);
        assert.deepEqual(await notesV2.find(db, "n1"), { id: "n1", body: "old", votes: 0 });
        await notesV2.insert(db, pinned);
        assert.deepEqual(await notesV2.find(db, "n2"), pinned);
      });
      // A new database gets the table as first declared, then each .since migration.
      await withMigratedDatabase(dialect, notesV2.migrations, async ({ db }) => {
        assert.deepEqual(await db("migrations").orderBy("name").pluck("name"), ["0000_create_notes", "0001_notes_pinned", "0002_notes_stars"]);
        await notesV2.insert(db, pinned);
        assert.deepEqual(await notesV2.find(db, "n2"), pinned);
      });
    });
  });
}
