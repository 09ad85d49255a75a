import type { Knex } from "knex";
import type { Row } from "./columns.js";
import { idleConnectionOf, type SqliteConnection } from "./sqlite-connection.js";
import { connectionOf } from "./transactions.js";

// The few statements a declared table runs by key, written as knex writes them for SQLite and run
// on the connection of the transaction they belong to (connectionOf), or as a statement of their
// own on the database's connection while no transaction holds it (idleConnectionOf): the same SQL
// and values, without knex's building and running of each one. Names come from declarations
// (lower snake_case, checked by table()), never from input; every value is a bound parameter.

/** Where one statement through `db` may run straight: its transaction's connection, or the idle database's; undefined: through knex. */
export function statementConnectionOf(db: Knex): SqliteConnection | undefined {
  return connectionOf(db) ?? idleConnectionOf(db);
}

const quoted = (name: string) => `\`${name}\``;

// As knex binds for better-sqlite3: a Date as its milliseconds, a boolean as 0 or 1.
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.valueOf();
  if (typeof value === "boolean") return Number(value);
  return value;
}

function whereClause(row: Row, values: unknown[]): string {
  const terms: string[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === null) {
      terms.push(`${quoted(column)} is null`);
    } else {
      terms.push(`${quoted(column)} = ?`);
      values.push(bindable(value));
    }
  }
  return terms.length > 0 ? ` where ${terms.join(" and ")}` : ""; // none: every row, as knex's where({}) means
}

// A driver error reads as knex's would (the statement, then the reason), with `?` where values go.
function run<T>(sql: string, statement: () => T): T {
  try {
    return statement();
  } catch (error) {
    if (error instanceof Error) error.message = `${sql} - ${error.message}`;
    throw error;
  }
}

/** The first row matching `match`, its columns as `list` selects them. */
export function selectFirst(conn: SqliteConnection, table: string, list: string, match: Row): Row | undefined {
  const values: unknown[] = [];
  const sql = `select ${list} from ${quoted(table)}${whereClause(match, values)} limit 1`;
  return run(sql, () => conn.prepare(sql).get(...values) as Row | undefined);
}

// Enough rows per knex INSERT to be quick, few enough to stay under SQLite's bound-variable limit.
const INSERT_CHUNK = 500;

/**
 * Inserts `rows` (a column left undefined is NULL, knex's useNullAsDefault): in a SQLite
 * transaction one statement per row on its connection, otherwise through knex, many rows a
 * statement (all or none of them; one row alone goes straight on an idle connection).
 */
export async function insertRows(db: Knex, table: string, rows: readonly object[]): Promise<void> {
  const conn = connectionOf(db) ?? (rows.length === 1 ? idleConnectionOf(db) : undefined);
  if (!conn) {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db(table).insert(rows.slice(i, i + INSERT_CHUNK));
    return;
  }
  for (const row of rows) {
    const entries = Object.entries(row);
    const sql = insertSql(table, entries.map(([column]) => column));
    run(sql, () => conn.prepare(sql).run(...entries.map(([, value]) => bindable(value))));
  }
}

const insertSql = (table: string, columns: readonly string[]) =>
  `insert into ${quoted(table)} (${columns.map(quoted).join(", ")}) values (${columns.map(() => "?").join(", ")})`;

/** Sets the columns of `set` (undefined ones left as they are) on the rows matching `match`; how many changed. */
export function updateRows(conn: SqliteConnection, table: string, set: Row, match: Row): number {
  const columns = Object.keys(set).filter((c) => set[c] !== undefined);
  if (columns.length === 0) return 0;
  const values: unknown[] = columns.map((c) => bindable(set[c]));
  const sql = `update ${quoted(table)} set ${columns.map((c) => `${quoted(c)} = ?`).join(", ")}${whereClause(match, values)}`;
  return run(sql, () => conn.prepare(sql).run(...values).changes);
}

/** Deletes the rows matching `match`; how many. */
export function deleteRows(conn: SqliteConnection, table: string, match: Row): number {
  const values: unknown[] = [];
  const sql = `delete from ${quoted(table)}${whereClause(match, values)}`;
  return run(sql, () => conn.prepare(sql).run(...values).changes);
}

/** Inserts the row, or replaces every column of the row that holds its key. */
export function upsertRow(conn: SqliteConnection, table: string, row: Row, key: readonly string[]): void {
  const columns = Object.keys(row);
  const sql = insertSql(table, columns) +
    ` on conflict (${key.map(quoted).join(", ")}) do update set ${columns.map((c) => `${quoted(c)} = excluded.${quoted(c)}`).join(", ")}`;
  run(sql, () => conn.prepare(sql).run(...columns.map((c) => bindable(row[c]))));
}
