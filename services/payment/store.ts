import type { Knex } from "knex";
import type { Migration } from "../../mesh/index.js";
import type { Payment, PaymentStatus } from "./domain.js";

// Payments in SQL: one row per (system, reference_id); money as a BIGINT amount plus currency.

const table = "payments";

/** The payment service's schema, applied in order at start. */
export const migrations: readonly Migration[] = [
  {
    name: "0001_payments",
    async up(db) {
      await db.schema.createTable(table, (t) => {
        t.string("id", 36).primary();
        t.string("system", 32).notNullable();
        t.string("reference_id", 64).notNullable();
        t.bigInteger("amount").nullable(); // null only for a tombstone (cancelled before paid)
        t.string("currency", 3).nullable();
        t.string("method", 32).notNullable();
        t.string("status", 16).notNullable();
        t.string("reason", 255).notNullable();
        t.datetime("created_at", { precision: 3 }).notNullable();
        t.datetime("updated_at", { precision: 3 }).notNullable();
        // The identity Pay is idempotent on; also the lookup of Cancel and ListPayments.
        t.unique(["system", "reference_id"], { indexName: "payments_system_reference_id_unique" });
      });
    },
    async down(db) {
      await db.schema.dropTable(table);
    },
  },
];

/** A write lost a race with another one for the same payment; the caller may decide again. */
export class ConcurrentChangeError extends Error {
  constructor(readonly payment: { system: string; referenceId: string }) {
    super(`payment (${payment.system}, ${payment.referenceId}) changed concurrently`);
    this.name = "ConcurrentChangeError";
  }
}

interface PaymentRow {
  id: string;
  system: string;
  reference_id: string;
  amount: string | number | bigint | null;
  currency: string | null;
  method: string;
  status: string;
  reason: string;
  created_at: Date | number | string;
  updated_at: Date | number | string;
}

/** The payment of (system, referenceId), if any. */
export async function findByReference(db: Knex, system: string, referenceId: string): Promise<Payment | undefined> {
  const row = await db<PaymentRow>(table).where({ system, reference_id: referenceId }).first();
  return row && fromRow(row);
}

/** The payment with this id, if any. */
export async function findById(db: Knex, id: string): Promise<Payment | undefined> {
  const row = await db<PaymentRow>(table).where({ id }).first();
  return row && fromRow(row);
}

/** A system's payments, newest first, optionally for one reference; at most `limit`. */
export async function listPayments(db: Knex, filter: { system: string; referenceId?: string }, limit: number): Promise<Payment[]> {
  const query = db<PaymentRow>(table).where({ system: filter.system });
  if (filter.referenceId) query.andWhere({ reference_id: filter.referenceId });
  const rows = await query.orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }]).limit(limit);
  return rows.map(fromRow);
}

/** Stores a new payment; a concurrent one for the same reference wins and this one throws ConcurrentChangeError. */
export async function insertPayment(db: Knex, payment: Payment): Promise<void> {
  try {
    await db(table).insert(toRow(payment));
  } catch (error) {
    if (isLostRace(error)) throw new ConcurrentChangeError(payment);
    throw error;
  }
}

/**
 * Replaces `previous` with `next`. Statuses only move forward, so matching the previous status
 * is enough to notice a concurrent change (then ConcurrentChangeError).
 */
export async function updatePayment(db: Knex, previous: Payment, next: Payment): Promise<void> {
  let changed: number;
  try {
    changed = await db(table).where({ id: previous.id, status: previous.status }).update(toRow(next));
  } catch (error) {
    if (isLostRace(error)) throw new ConcurrentChangeError(next);
    throw error;
  }
  if (changed !== 1) throw new ConcurrentChangeError(next);
}

function toRow(p: Payment): PaymentRow {
  return {
    id: p.id,
    system: p.system,
    reference_id: p.referenceId,
    amount: p.amount ? p.amount.amount.toString() : null, // a string: exact on both drivers
    currency: p.amount ? p.amount.currency : null,
    method: p.method,
    status: p.status,
    reason: p.reason.slice(0, 255), // an event's reason may be longer than the column
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function fromRow(row: PaymentRow): Payment {
  return {
    id: row.id,
    system: row.system,
    referenceId: row.reference_id,
    amount: row.amount === null ? null : { amount: BigInt(row.amount), currency: row.currency ?? "" },
    method: row.method,
    status: row.status as PaymentStatus,
    reason: row.reason,
    createdAt: new Date(row.created_at), // MySQL gives a Date, SQLite the milliseconds knex stored
    updatedAt: new Date(row.updated_at),
  };
}

// A duplicate key (SQLite: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; MySQL: ER_DUP_ENTRY), or
// InnoDB choosing this transaction as a deadlock's victim: either way, deciding again is right.
function isLostRace(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? "";
  return ["ER_DUP_ENTRY", "ER_LOCK_DEADLOCK", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"].includes(code);
}
