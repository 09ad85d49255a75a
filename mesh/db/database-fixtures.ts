import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Knex } from "knex";
import { openDatabase, type Dialect } from "./database.js";

// Test support, not runtime API: one throw-away database per dialect for tests that must run
// against both. TEST_DIALECTS=sqlite limits the loop; TEST_MYSQL_URL points at another server.

/** The dialects database tests loop over (TEST_DIALECTS, default both). */
export const testDialects: readonly Dialect[] = (process.env.TEST_DIALECTS ?? "sqlite,mysql")
  .split(",")
  .map((d) => d.trim())
  .filter((d): d is Dialect => d === "sqlite" || d === "mysql");

/** A database that exists for one test: a file in a temp folder, or a MySQL database with a random name. */
export interface TestDatabase {
  dialect: Dialect;
  url: string;
  db: Knex;
  /** Closes the pool and deletes the file or drops the database. */
  drop(): Promise<void>;
}

/** Creates a fresh, empty database of `dialect`. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "mesh-db-"));
    const url = `sqlite://${dir}/test.sqlite`;
    const db = await openDatabase({ url });
    return { dialect, url, db, drop: async () => { await db.destroy(); await rm(dir, { recursive: true, force: true }); } };
  }
  const server = (process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");
  const name = `mesh_test_${randomBytes(5).toString("hex")}`;
  const url = `${server}/${name}`;
  const db = await openDatabase({ url });
  return {
    dialect,
    url,
    db,
    drop: async () => {
      await db.raw("DROP DATABASE IF EXISTS ??", [name]).catch(() => {});
      await db.destroy();
    },
  };
}
