import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Knex } from "knex";
import { openDatabase } from "./database.js";
import { migrate } from "./migrate.js";
import type { Migration } from "./migration.js";
import { createTestDatabase, testDialects } from "./database-fixtures.js";

const table = (name: string, ran: string[]): Migration => ({
  name,
  async up(db: Knex) {
    ran.push(name);
    await db.schema.createTable(`t_${name}`, (t) => t.string("id").primary());
  },
});

for (const dialect of testDialects) {
  describe(`migrate (${dialect})`, () => {
    test("applies each migration once, in name order, and a later one alone", async () => {
      const t = await createTestDatabase(dialect);
      try {
        const ran: string[] = [];
        const v1 = [table("0002_b", ran), table("0001_a", ran)];
        assert.deepEqual(await migrate(t.db, v1, { tableName: "migrations" }), ["0001_a", "0002_b"]);
        assert.deepEqual(await migrate(t.db, v1, { tableName: "migrations" }), []);
        assert.deepEqual(await migrate(t.db, [...v1, table("0003_c", ran)], { tableName: "migrations" }), ["0003_c"]);
        assert.deepEqual(ran, ["0001_a", "0002_b", "0003_c"]);
        assert.ok(await t.db.schema.hasTable("t_0003_c"));
      } finally {
        await t.drop();
      }
    });

    test("the runtime's and a service's migrations are tracked apart", async () => {
      const t = await createTestDatabase(dialect);
      try {
        const ran: string[] = [];
        assert.deepEqual(await migrate(t.db, [table("0001_mesh", ran)], { tableName: "mesh_migrations" }), ["0001_mesh"]);
        assert.deepEqual(await migrate(t.db, [table("0001_orders", ran)], { tableName: "migrations" }), ["0001_orders"]);
        assert.deepEqual(await t.db("mesh_migrations").pluck("name"), ["0001_mesh"]);
        assert.deepEqual(await t.db("migrations").pluck("name"), ["0001_orders"]);
      } finally {
        await t.drop();
      }
    });

    test("replicas migrating at the same time apply each migration once", async () => {
      const t = await createTestDatabase(dialect);
      const other = dialect === "mysql" ? await openDatabase({ url: t.url }) : t.db;
      try {
        const ran: string[] = [];
        const list = [table("0001_a", ran), table("0002_b", ran)];
        const results = await Promise.all([1, 2, 3].map((i) => migrate(i === 2 ? other : t.db, list, { tableName: "migrations" })));
        assert.deepEqual(results.flat().sort(), ["0001_a", "0002_b"]);
        assert.deepEqual(ran.sort(), ["0001_a", "0002_b"]);
      } finally {
        if (other !== t.db) await other.destroy();
        await t.drop();
      }
    });

    test("a lock table left with two rows (knex's own start-up race) is repaired, not locked forever", async () => {
      const t = await createTestDatabase(dialect);
      try {
        await t.db.schema.createTable("migrations_lock", (tb) => {
          tb.increments("index").primary();
          tb.integer("is_locked");
        });
        await t.db("migrations_lock").insert([{ is_locked: 0 }, { is_locked: 0 }]);
        const ran: string[] = [];
        assert.deepEqual(await migrate(t.db, [table("0001_a", ran)], { tableName: "migrations", lockWaitMs: 2000 }), ["0001_a"]);
        assert.equal((await t.db("migrations_lock").select("*")).length, 1);
      } finally {
        await t.drop();
      }
    });

    test("a failing migration is not recorded and its error surfaces", async () => {
      const t = await createTestDatabase(dialect);
      try {
        const broken: Migration = { name: "0001_broken", up: async () => { throw new Error("nope"); } };
        await assert.rejects(migrate(t.db, [broken], { tableName: "migrations" }), /nope/);
        assert.deepEqual(await t.db("migrations").pluck("name"), []);
        await assert.rejects(migrate(t.db, [broken, broken], { tableName: "migrations" }), /two migrations are named 0001_broken/);
      } finally {
        await t.drop();
      }
    });
  });
}
