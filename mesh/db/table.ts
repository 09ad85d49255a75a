import type { Knex } from "knex";
import type { EventRoute } from "../events/domain-events.js";
import type { Column, ColumnSpec, Row } from "./columns.js";
import type { Migration } from "./migration.js";
import { afterPosition, decodePageToken, encodePageToken, filterFingerprint, pageSizeOf, type Page, type PageRequest } from "./page.js";
import { forUpdate } from "./row-lock.js";
import { deleteRows, insertRows, selectFirst, statementConnectionOf, updateRows, upsertRow } from "./sqlite-direct.js";

/** A column for every field of T, of T's type: a field without a column does not compile. */
export type Columns<T> = { [K in keyof T]-?: Column<T[K]> };

/** Which rows: the key's value (when the key is one field), or fields that must all match (undefined ones are ignored). */
export type Where<T> = string | Partial<T>;

/** A list's filter, order and size. */
export interface ListQuery<T> {
  where?: Partial<T>;
  /** Further conditions in SQL terms, given the column name of each field. */
  match?: (query: Knex.QueryBuilder, column: (field: keyof T & string) => string) => void;
  orderBy?: ReadonlyArray<readonly [keyof T & string, "asc" | "desc"]>;
  /** Default 1000. */
  limit?: number;
}

/** A page of a list (AIP-158): newest first by `by`, then by the key. */
export interface PageQuery<T> extends Omit<ListQuery<T>, "orderBy" | "limit">, PageRequest {
  /** The field that orders the list, greatest first (a required column, e.g. when it was created). */
  by: keyof T & string;
  /** "asc" for a list that reads best oldest or lowest first (a catalogue); default "desc". */
  direction?: "asc" | "desc";
  /** What `match` filters by, so that a token is refused for another filter. */
  filter?: unknown;
}

/** What else a table declaration says. */
export interface TableOptions<T, E extends { type: string }> {
  /** What one row is called in a NOT_FOUND ("order"); the table's name otherwise. */
  resource?: string;
  /** The events its aggregate's decisions produce, bound to their protobuf messages. */
  events?: EventRoute<E>;
  /** Indexes over several fields, in order. */
  indexes?: ReadonlyArray<ReadonlyArray<keyof T & string>>;
  /** Unique constraints over several fields (an identity besides the key). */
  unique?: ReadonlyArray<ReadonlyArray<keyof T & string>>;
}

/**
 * A table declared once: its name and a column per field of T. The runtime derives from it the
 * migrations that create it, the mapping between rows and T on SQLite and MySQL alike, and the
 * finders; a repository (ports.repository) adds the command path over it.
 */
export interface Table<T, E extends { type: string } = never> {
  readonly name: string;
  readonly resource: string;
  readonly events?: EventRoute<E>;
  /** The fields of the primary key. */
  readonly key: readonly (keyof T & string)[];
  /** Create the table, then add what later migrations (`.since`) added. */
  readonly migrations: readonly Migration[];
  /** The SQL name of a field's column. */
  column(field: keyof T & string): string;
  /** The first row matching `where`; `lock` holds it until the transaction ends (a read-modify-write). */
  find(db: Knex, where: Where<T>, options?: { lock?: boolean }): Promise<T | undefined>;
  list(db: Knex, query?: ListQuery<T>): Promise<T[]>;
  /** One page and the token of the next; a bad pageSize or pageToken is INVALID_ARGUMENT naming it. */
  page(db: Knex, query: PageQuery<T>): Promise<Page<T>>;
  insert(db: Knex, value: T): Promise<void>;
  /** Updates the row with `value`'s key; the number of rows changed. */
  update(db: Knex, value: T): Promise<number>;
  delete(db: Knex, where: Where<T>): Promise<number>;
  /** Writes `next` unless it is `previous` itself: inserted when there was none, otherwise its columns that changed. */
  save(db: Knex, next: T, previous: T | undefined): Promise<void>;
  /** Inserts `value`, or replaces the row with its key: one statement, for facts where the latest wins. */
  upsert(db: Knex, value: T): Promise<void>;
}

/** Declares the table of T: `table<Order, OrderEvent>("orders", { id: text(64).key(), ... }, { events })`. */
export function table<T, E extends { type: string } = never>(name: string, columns: Columns<T>, options: TableOptions<T, E> = {}): Table<T, E> {
  const fields = Object.entries(columns as Record<string, Column<unknown>>).map(([field, c]) => ({ field, spec: c.spec, sql: c.spec.sqlName ?? snakeCase(field) }));
  const byField = new Map(fields.map((f) => [f.field, f]));
  const key = fields.filter((f) => f.spec.key).map((f) => f.field as keyof T & string);
  if (key.length === 0) throw new Error(`table ${name} declares no key column`);
  for (const f of fields) {
    if (!/^[a-z_][a-z0-9_]*$/.test(f.sql)) throw new Error(`table ${name}: ${f.field}'s column name ${JSON.stringify(f.sql)} is not lower snake_case`);
    if (f.spec.since && !f.spec.optional && !f.spec.backfill) {
      throw new Error(`table ${name}: ${f.field} is added by ${f.spec.since} and required, so rows already there need a value: .since("${f.spec.since}", value)`);
    }
  }
  const column = (field: string) => {
    const f = byField.get(field);
    if (!f) throw new Error(`table ${name} has no field ${field}`);
    return f.sql;
  };

  const toRow = (value: T): Row => {
    const row: Row = {};
    for (const f of fields) f.spec.mapping.write((value as Record<string, unknown>)[f.field], f.sql, row);
    return row;
  };
  const fromRow = (row: Row): T => {
    const value: Record<string, unknown> = {};
    for (const f of fields) {
      const v = f.spec.mapping.read(row, f.sql);
      if (v !== undefined) value[f.field] = v;
    }
    return value as T;
  };
  const keyColumn = key.length === 1 && byField.get(key[0])!.spec.mapping.comparable ? byField.get(key[0])!.sql : undefined;
  const whereRow = (where: Where<T>): Row => {
    if (typeof where === "string") {
      if (key.length !== 1) throw new Error(`table ${name} has a key of ${key.length} fields: find by an object`);
      if (keyColumn) return { [keyColumn]: where }; // the common case: a key of one column, matched as given
      where = { [key[0]]: where } as Partial<T>;
    }
    const row: Row = {};
    for (const [field, v] of Object.entries(where)) {
      if (v === undefined) continue;
      const f = byField.get(field);
      if (!f) throw new Error(`table ${name} has no field ${field}`);
      if (!f.spec.mapping.comparable) throw new Error(`table ${name}: ${field} cannot be matched in a where clause`);
      f.spec.mapping.write(v, f.sql, row);
    }
    return row;
  };
  const keyOf = (value: T): Row => whereRow(Object.fromEntries(key.map((k) => [k, value[k]])) as Partial<T>);
  // better-sqlite3 hands 64-bit integers back as JS numbers, exact only to 2^53: SQLite casts those
  // columns to text. The list is written once (the names are the declaration's own, no user input).
  const sqlColumns = fields.flatMap((f) => f.spec.mapping.columns(f.sql));
  const exactOnSqlite = sqlColumns.some((c) => c.long)
    ? sqlColumns.map((c) => (c.long ? `CAST(\`${c.name}\` AS TEXT) AS \`${c.name}\`` : `\`${c.name}\``)).join(", ")
    : undefined;
  const selectLists = new WeakMap<Knex, Knex.Raw>(); // one per knex instance: a transaction's is its own
  const select = (db: Knex) => {
    if (!exactOnSqlite || !isSqlite(db)) return db(name);
    let list = selectLists.get(db);
    if (!list) selectLists.set(db, (list = db.raw(exactOnSqlite)));
    return db(name).select(list);
  };

  const self: Table<T, E> = {
    name,
    resource: options.resource ?? name,
    events: options.events,
    key,
    migrations: migrationsOf(name, fields, { indexes: options.indexes?.map((ix) => ix.map(column)) ?? [], unique: options.unique?.map((u) => u.map(column)) ?? [] }),
    column: column as (field: keyof T & string) => string,
    async find(db, where, { lock = false } = {}) {
      // On SQLite, by key straight on the connection (a transaction's, or the idle database's); SQLite has no row locks to take.
      const conn = statementConnectionOf(db);
      if (conn) {
        const found = selectFirst(conn, name, exactOnSqlite ?? "*", whereRow(where));
        return found ? fromRow(found) : undefined;
      }
      const row = await forUpdate(select(db).where(whereRow(where)).first(), lock);
      return row ? fromRow(row) : undefined;
    },
    async list(db, query = {}) {
      const q = select(db).where(whereRow(query.where ?? {}));
      query.match?.(q, column as (field: keyof T & string) => string);
      for (const [field, direction] of query.orderBy ?? []) q.orderBy(column(field), direction);
      return ((await q.limit(query.limit ?? 1000)) as Row[]).map(fromRow);
    },
    async page(db, query) {
      const size = pageSizeOf(query);
      const direction = query.direction ?? "desc";
      const order = [query.by, ...key.filter((k) => k !== query.by)];
      const columns = order.map(column);
      const fingerprint = filterFingerprint({ where: query.where, filter: query.filter, direction });
      const q = select(db).where(whereRow(query.where ?? {}));
      query.match?.(q, column as (field: keyof T & string) => string);
      if (query.pageToken) {
        const position = decodePageToken(query.pageToken, fingerprint, order.length);
        afterPosition(q, columns, order.map((field, i) => whereRow({ [field]: position[i] } as Partial<T>)[columns[i]]), direction);
      }
      for (const c of columns) q.orderBy(c, direction);
      const rows = ((await q.limit(size + 1)) as Row[]).map(fromRow);
      const items = rows.slice(0, size);
      const last = items[items.length - 1];
      return { items, nextPageToken: rows.length > size ? encodePageToken(order.map((f) => last[f]), fingerprint) : "" };
    },
    async insert(db, value) {
      await insertRows(db, name, [toRow(value)]);
    },
    async update(db, value) {
      const conn = statementConnectionOf(db);
      if (conn) return updateRows(conn, name, toRow(value), keyOf(value));
      return db(name).where(keyOf(value)).update(toRow(value));
    },
    async delete(db, where) {
      const conn = statementConnectionOf(db);
      if (conn) return deleteRows(conn, name, whereRow(where));
      return db(name).where(whereRow(where)).delete();
    },
    async upsert(db, value) {
      const conn = statementConnectionOf(db);
      if (conn) return upsertRow(conn, name, toRow(value), key.map(column));
      await db(name).insert(toRow(value)).onConflict(key.map(column)).merge();
    },
    async save(db, next, previous) {
      if (next === previous) return;
      if (previous === undefined) return self.insert(db, next);
      // Only what changed is written: an unchanged indexed column costs its index nothing.
      const before = toRow(previous);
      const changed = Object.entries(toRow(next)).filter(([column, v]) => !same(v, before[column]));
      if (changed.length === 0) return;
      const conn = statementConnectionOf(db);
      if (conn) updateRows(conn, name, Object.fromEntries(changed), keyOf(previous));
      else await db(name).where(keyOf(previous)).update(Object.fromEntries(changed));
    },
  };
  return self;
}

type Field = { field: string; spec: ColumnSpec; sql: string };

// "create_<table>" makes the table as first declared; each `.since(name)` migration adds its columns.
function migrationsOf(name: string, fields: Field[], constraints: { indexes: string[][]; unique: string[][] }): Migration[] {
  const at = (t: Knex.CreateTableBuilder, f: Field) => {
    for (const c of f.spec.mapping.define(t, f.sql)) {
      if (f.spec.optional) c.nullable();
      else if (!f.spec.since) c.notNullable();
      if (f.spec.index && !f.spec.key) c.index();
      if (f.spec.unique) c.unique();
    }
  };
  const keyColumns = fields.filter((f) => f.spec.key).map((f) => f.sql);
  const migrations: Migration[] = [{
    name: `0000_create_${name}`,
    async up(db) {
      await db.schema.createTable(name, (t) => {
        for (const f of fields) if (!f.spec.since) at(t, f);
        t.primary(keyColumns);
        for (const columns of constraints.indexes) t.index(columns);
        for (const columns of constraints.unique) t.unique(columns);
      });
    },
    async down(db) {
      await db.schema.dropTable(name);
    },
  }];
  const later = [...new Set(fields.map((f) => f.spec.since).filter((s): s is string => s !== undefined))];
  for (const since of later) {
    const added = fields.filter((f) => f.spec.since === since);
    migrations.push({
      name: since,
      async up(db) {
        await db.schema.alterTable(name, (t) => {
          for (const f of added) at(t as unknown as Knex.CreateTableBuilder, f);
        });
        for (const f of added) {
          if (!f.spec.backfill || f.spec.backfill.value === undefined) continue;
          const row: Row = {};
          f.spec.mapping.write(f.spec.backfill.value, f.sql, row);
          await db(name).whereNull(f.spec.mapping.columns(f.sql)[0].name).update(row);
        }
      },
    });
  }
  return migrations;
}

const same = (a: unknown, b: unknown) => a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

const isSqlite = (db: Knex) => db.client.config.client === "better-sqlite3";

/** "phoneNumber" → "phone_number". */
export function snakeCase(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}
