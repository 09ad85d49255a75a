import type { Knex } from "knex";
import { testDatabaseUrl } from "../testing/test-database.js";
import { openDatabase, type Dialect } from "./database.js";
import { migrate } from "./migrate.js";
import type { Migration } from "./migration.js";

// Test support, not runtime API: an open, throw-away database per dialect.

export { testDialects } from "../testing/test-database.js";

/** A database that exists for one test, opened. */
export interface TestDatabase {
  dialect: Dialect;
  url: string;
  db: Knex;
  /** Closes the pool and deletes the file or drops the database. */
  drop(): Promise<void>;
}

/** Creates and opens a fresh, empty database of `dialect`. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const target = await testDatabaseUrl(dialect);
  const db = await openDatabase({ url: target.url });
  return {
    dialect,
    url: target.url,
    db,
    drop: async () => {
      await db.destroy();
      await target.drop();
    },
  };
}

/** Runs `fn` on a fresh database of `dialect` with `migrations` applied (as a service's are), then drops it. */
export async function withMigratedDatabase(dialect: Dialect, migrations: readonly Migration[], fn: (t: TestDatabase) => Promise<void>): Promise<void> {
  const t = await createTestDatabase(dialect);
  try {
    await migrate(t.db, migrations, { tableName: "migrations" });
    await fn(t);
  } finally {
    await t.drop();
  }
}
