import type { Knex } from "knex";
import type { Money } from "../kernel/money.js";

// A table's columns, declared once per field of the domain type: what SQL type it is, and how a
// value travels between the domain and each driver. The drivers disagree on booleans (SQLite
// 0/1), dates (SQLite: the milliseconds knex stored; MySQL: a Date) and 64-bit integers (exact
// strings from mysql2, numbers from SQLite); this file is the one place that knows.

/** A row as the driver returns it, or as it is written. */
export type Row = Record<string, unknown>;

interface Mapping<T> {
  /** Adds the column(s) of a field whose SQL name is `name`. */
  define(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder[];
  write(value: T, name: string, row: Row): void;
  read(row: Row, name: string): T;
  /** Whether a where clause can test it (a Money is two columns: no). */
  comparable: boolean;
  /** The SQL columns it occupies; `long` ones hold 64-bit integers, which SQLite must hand back as text to stay exact. */
  columns(name: string): Array<{ name: string; long: boolean }>;
}

/** How one field of a domain type is stored: chain .key(), .index(), .unique(), .optional(), .named(), .since(). */
export interface Column<T> {
  /** Part of the primary key. */
  key(): Column<T>;
  index(): Column<T>;
  unique(): Column<T>;
  /** NULL in the table, undefined in the domain. */
  optional(): Column<T | undefined>;
  /** Its SQL name, when not the field's name in snake_case. */
  named(sqlName: string): Column<T>;
  /**
   * Added to an existing table by the migration `name` (e.g. "0002_orders_gift_message"), not
   * created with it; rows already there take `backfill` (required unless the column is optional).
   */
  since(migration: string, backfill?: T): Column<T>;
  /** @internal what the table reads off the declaration */
  readonly spec: ColumnSpec;
  // Invariant in T: a Column<Date> is not a Column<Date | undefined>.
  readonly "~type"?: (value: T) => T;
}

/** @internal */
export interface ColumnSpec {
  mapping: Mapping<unknown>;
  key: boolean;
  index: boolean;
  unique: boolean;
  optional: boolean;
  sqlName?: string;
  since?: string;
  /** What rows from before `since` take (present as a key when given, even as undefined). */
  backfill?: { value: unknown };
}

function column<T>(mapping: Mapping<T>, spec: Omit<ColumnSpec, "mapping"> = { key: false, index: false, unique: false, optional: false }): Column<T> {
  const full: ColumnSpec = { mapping: mapping as Mapping<unknown>, ...spec };
  const and = <U>(change: Partial<ColumnSpec>) => column<U>(mapping as unknown as Mapping<U>, { ...spec, ...change });
  return {
    spec: full,
    key: () => and<T>({ key: true }),
    index: () => and<T>({ index: true }),
    unique: () => and<T>({ unique: true }),
    optional: () => and<T | undefined>({ optional: true }),
    named: (sqlName) => and<T>({ sqlName }),
    since: (migration, ...backfill) => and<T>({ since: migration, backfill: backfill.length ? { value: backfill[0] } : undefined }),
  };
}

// One SQL column holding the value as the driver takes it, read back through `from`.
function single<T>(add: (t: Knex.CreateTableBuilder, name: string) => Knex.ColumnBuilder, from: (v: unknown) => T, to: (v: T) => unknown = (v) => v, long = false): Mapping<T> {
  return {
    define: (t, name) => [add(t, name)],
    write: (value, name, row) => void (row[name] = value === undefined || value === null ? null : to(value)),
    read: (row, name) => (row[name] === null || row[name] === undefined ? (undefined as T) : from(row[name])),
    comparable: true,
    columns: (name) => [{ name, long }],
  };
}

/** A string of at most `max` characters (VARCHAR); `text<OrderStatus>(20)` for a status. */
export function text<T extends string = string>(max: number): Column<T> {
  return column(single((t, n) => t.string(n, max), (v) => String(v) as T));
}

/** Text of any length (TEXT), for descriptions and messages. */
export function longText(): Column<string> {
  return column(single((t, n) => t.text(n), (v) => String(v)));
}

/** A 32-bit integer. */
export function int(): Column<number> {
  return column(single((t, n) => t.integer(n), (v) => Number(v)));
}

/** A 64-bit integer, exact on both databases (BIGINT; written and read as text, held as a bigint). */
export function bigint(): Column<bigint> {
  return column(single((t, n) => t.bigInteger(n), (v) => BigInt(v as string | number), (v) => v.toString(), true));
}

/** A boolean (SQLite keeps 0 or 1). */
export function bool(): Column<boolean> {
  return column(single((t, n) => t.boolean(n), (v) => v === true || v === 1 || v === "1"));
}

/** A point in time to the millisecond, in UTC. */
export function timestamp(): Column<Date> {
  return column(single((t, n) => t.datetime(n, { precision: 3 }), (v) => new Date(v as string | number | Date)));
}

/** Any JSON value, as text. */
export function json<T>(): Column<T> {
  return column(single((t, n) => t.text(n), (v) => (typeof v === "string" ? JSON.parse(v) : v) as T, (v) => JSON.stringify(v)));
}

/** Money: two columns, `<name>` (the amount in the smallest unit, BIGINT, exact) and `<name>_currency` (ISO 4217 code). */
export function money(): Column<Money> {
  return column<Money>({
    define: (t, n) => [t.bigInteger(n), t.string(`${n}_currency`, 3)],
    write(value, n, row) {
      row[n] = value ? value.amount.toString() : null;
      row[`${n}_currency`] = value ? value.currency : null;
    },
    read(row, n) {
      const amount = row[n];
      if (amount === null || amount === undefined) return undefined as unknown as Money;
      return { amount: BigInt(amount as string | number), currency: String(row[`${n}_currency`]) };
    },
    comparable: false,
    columns: (n) => [{ name: n, long: true }, { name: `${n}_currency`, long: false }],
  });
}
