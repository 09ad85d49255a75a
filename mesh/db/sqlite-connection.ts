import type { Knex } from "knex";

/** better-sqlite3's connection, as far as the runtime uses it. */
export interface SqliteConnection {
  prepare(sql: string): { run(...values: unknown[]): { changes: number }; get(...values: unknown[]): unknown };
  pragma(sql: string): unknown;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

// Each SQLite database's only connection, once its pool has opened it.
const connections = new WeakMap<Knex, () => SqliteConnection | undefined>();

/** For openSqlite: where the database `db`'s one connection is (undefined until the pool opens it). */
export function registerSqliteConnection(db: Knex, current: () => SqliteConnection | undefined): void {
  connections.set(db, current);
}

/**
 * The connection of the SQLite database `db` itself (not of a transaction) while no transaction
 * holds it; undefined otherwise, and for MySQL. One statement run on it then is its own
 * autocommit transaction, as knex would run it, and cannot land inside another transaction:
 * better-sqlite3 runs it to the end before any other work. Skips knex's building, pool and
 * promises: knex fell from about 10 % to 1.4 % of flower-order's CPU at full load (V8 profiles).
 */
export function idleConnectionOf(db: Knex): SqliteConnection | undefined {
  const conn = connections.get(db)?.();
  return conn && conn.open && !conn.inTransaction ? conn : undefined;
}
