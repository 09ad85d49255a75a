import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import type { Dialect } from "../db/database.js";

// Throw-away databases for tests that must run against both dialects. TEST_DIALECTS=sqlite
// limits the loop; TEST_MYSQL_URL points at another MySQL server.

/** The dialects database tests loop over (TEST_DIALECTS, default both). */
export const testDialects: readonly Dialect[] = (process.env.TEST_DIALECTS ?? "sqlite,mysql")
  .split(",")
  .map((d) => d.trim())
  .filter((d): d is Dialect => d === "sqlite" || d === "mysql");

const mysqlServer = (process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306").replace(/\/+$/, "");

/**
 * The DATABASE_URL of a database that exists for one test: a file in a temp folder, or a MySQL
 * database with a random name (created by whoever opens it first), and how to remove it (with
 * the databases a service derives from it, `<name>_<service>`).
 */
export async function testDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "mesh-db-"));
    return { url: `sqlite://${dir}/test.sqlite`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `mesh_test_${randomBytes(5).toString("hex")}`;
  return {
    url: `${mysqlServer}/${name}`,
    async drop() {
      const admin = await mysql.createConnection(mysqlServer);
      try {
        const [derived] = await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?", [`${name}\\_%`]);
        for (const db of [name, ...(derived as Array<{ name: string }>).map((d) => d.name)]) await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
      } finally {
        await admin.end();
      }
    },
  };
}
