import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { ConfigError } from "../config/env.js";
import { defaultDatabaseUrl, dialectOf, openDatabase, parseDatabaseUrl, redactUrl } from "./database.js";
import { createTestDatabase, testDialects } from "./database-fixtures.js";

describe("parseDatabaseUrl", () => {
  test("sqlite file paths: relative to the working directory, or absolute with three slashes", () => {
    assert.deepEqual(parseDatabaseUrl("sqlite://data/order.sqlite"), { dialect: "sqlite", filename: resolve("data/order.sqlite") });
    assert.deepEqual(parseDatabaseUrl("sqlite:///var/lib/mesh/order.sqlite"), { dialect: "sqlite", filename: "/var/lib/mesh/order.sqlite" });
    assert.deepEqual(parseDatabaseUrl("sqlite::memory:"), { dialect: "sqlite", filename: ":memory:" });
  });

  test("defaultDatabaseUrl is a sqlite file per service in the data folder", () => {
    assert.equal(defaultDatabaseUrl("/data/", "flower-order"), "sqlite:///data/flower-order.sqlite");
    assert.equal(defaultDatabaseUrl("data", "flower-order"), "sqlite://data/flower-order.sqlite");
    assert.deepEqual(parseDatabaseUrl(defaultDatabaseUrl("/data", "x")), { dialect: "sqlite", filename: "/data/x.sqlite" });
  });

  test("mysql URLs: user, password (percent-decoded), host, default port, database", () => {
    assert.deepEqual(parseDatabaseUrl("mysql://app:p%40ss@db.local/flower_order"), {
      dialect: "mysql", host: "db.local", port: 3306, user: "app", password: "p@ss", database: "flower_order",
    });
    assert.equal((parseDatabaseUrl("mysql://root@127.0.0.1:3307/x") as { port: number }).port, 3307);
  });

  test("a bad URL is a ConfigError naming DATABASE_URL and what is wrong, without the password", () => {
    const cases: [string, RegExp][] = [
      ["postgres://u@h/db", /DATABASE_URL=.*must start with sqlite:\/\/ .* or mysql:\/\//],
      ["sqlite:data.sqlite", /DATABASE_URL=.*must be sqlite:\/\/<path/],
      ["sqlite://", /DATABASE_URL=.*must be sqlite:\/\/<path/],
      ["mysql://u:secret@host:3306", /DATABASE_URL=.*names no database/],
      ["mysql://u:secret@host:3306/bad.name", /DATABASE_URL=.*unusable database name/],
      ["mysql://host/db", /DATABASE_URL=.*names no user/],
      ["mysql://u:secret@host:99999/db", /DATABASE_URL=.*not a valid URL/],
      ["", /DATABASE_URL=""/],
    ];
    for (const [url, message] of cases) {
      assert.throws(() => parseDatabaseUrl(url), (err: Error) => {
        assert.ok(err instanceof ConfigError, url);
        assert.match(err.message, message, url);
        assert.doesNotMatch(err.message, /secret/, url);
        return true;
      });
    }
    assert.equal(redactUrl("mysql://u:secret@h/db"), "mysql://u:***@h/db");
  });
});

describe("openDatabase", () => {
  test("sqlite: creates the parent folder; WAL, NORMAL sync, busy timeout and foreign keys are on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mesh-open-"));
    const db = await openDatabase({ url: `sqlite://${dir}/nested/deeper/s.sqlite` });
    try {
      assert.ok(existsSync(join(dir, "nested/deeper/s.sqlite")));
      assert.equal(dialectOf(db), "sqlite");
      const pragma = async (name: string) => Object.values((await db.raw(`pragma ${name}`))[0])[0];
      assert.equal(await pragma("journal_mode"), "wal");
      assert.equal(await pragma("synchronous"), 1); // NORMAL
      assert.equal(await pragma("foreign_keys"), 1);
      assert.equal(await pragma("busy_timeout"), 5000);
    } finally {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("sqlite::memory: keeps its data across queries (one connection)", async () => {
    const db = await openDatabase({ url: "sqlite::memory:" });
    try {
      await db.schema.createTable("t", (t) => t.integer("n"));
      await db("t").insert({ n: 1 });
      await db.transaction(async (trx) => trx("t").insert({ n: 2 }));
      assert.deepEqual(await db("t").pluck("n"), [1, 2]);
    } finally {
      await db.destroy();
    }
  });

  test("mysql: an unreachable server is an error naming DATABASE_URL", { skip: !testDialects.includes("mysql") }, async () => {
    await assert.rejects(openDatabase({ url: "mysql://root:pw@127.0.0.1:1/x" }), (err: Error) => {
      assert.match(err.message, /cannot open the database at DATABASE_URL=mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x/);
      return true;
    });
  });

  test("mysql: a user that may not create the service's database gets the statements to run; one granted it uses it", { skip: !testDialects.includes("mysql") }, async () => {
    const server = (process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");
    const suffix = randomBytes(4).toString("hex");
    const user = `mesh_t_${suffix}`;
    const database = `mesh_test_${suffix}_flower_order`;
    const admin = await openDatabase({ url: `${server}/mesh_test_${suffix}` });
    const url = `mysql://${user}:pw@${new URL(server).host}/${database}`;
    try {
      // '%' and 'localhost': the account a loopback connection is matched to depends on the server's users.
      for (const from of ["%", "localhost", "127.0.0.1"]) await admin.raw("CREATE USER ?@? IDENTIFIED BY 'pw'", [user, from]);
      await assert.rejects(openDatabase({ url }), (err: Error) => {
        assert.match(err.message, new RegExp(`the database ${database} does not exist .* may not create it`));
        assert.match(err.message, new RegExp(`CREATE DATABASE \`${database}\``));
        assert.match(err.message, new RegExp(`GRANT ALL PRIVILEGES ON \`${database}\`\\.\\* TO '${user}'@'[^']+'`));
        assert.doesNotMatch(err.message, /:pw@/);
        return true;
      });
      await admin.raw("CREATE DATABASE ??", [database]);
      for (const from of ["%", "localhost", "127.0.0.1"]) await admin.raw("GRANT ALL PRIVILEGES ON ??.* TO ?@?", [database, user, from]);
      const db = await openDatabase({ url });
      try {
        assert.deepEqual(await db.raw("select database() as d").then((r) => r[0][0].d), database);
      } finally {
        await db.destroy();
      }
    } finally {
      for (const from of ["%", "localhost", "127.0.0.1"]) await admin.raw("DROP USER IF EXISTS ?@?", [user, from]);
      await admin.raw("DROP DATABASE IF EXISTS ??", [database]);
      await admin.raw("DROP DATABASE IF EXISTS ??", [`mesh_test_${suffix}`]);
      await admin.destroy();
    }
  });

  for (const dialect of testDialects) {
    test(`${dialect}: creates the database, keeps BIGINT exact, JSON as text, datetimes in UTC with ms`, async () => {
      const t = await createTestDatabase(dialect);
      try {
        assert.equal(dialectOf(t.db), dialect);
        await t.db.schema.createTable("v", (tb) => {
          tb.bigInteger("big");
          tb.json("doc");
          tb.datetime("at", { precision: 3 });
        });
        const at = new Date("2026-03-04T05:06:07.089Z");
        await t.db("v").insert({ big: "9007199254740993", doc: JSON.stringify({ a: 1 }), at });
        const row = await t.db("v").first();
        if (dialect === "mysql") assert.equal(row.big, "9007199254740993");
        assert.equal(typeof row.doc, "string");
        assert.deepEqual(JSON.parse(row.doc), { a: 1 });
        assert.equal(new Date(row.at).toISOString(), at.toISOString());
      } finally {
        await t.drop();
      }
    });
  }
});
