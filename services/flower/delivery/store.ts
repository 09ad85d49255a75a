import type { Knex } from "knex";
import { emitEvents, forUpdate, type Migration, type Transaction } from "../../../mesh/index.js";
import { DeliveryCanceled, DeliveryCompleted, DeliveryStarted } from "../events.js";
import type { Decision, Delivery, DeliveryStatus } from "./domain.js";

// Persistence of deliveries (outbound adapter).

export const migrations: Migration[] = [
  {
    name: "0001_deliveries",
    async up(db) {
      await db.schema.createTable("deliveries", (t) => {
        t.string("id", 64).primary();
        t.string("order_id", 64).notNullable().unique();
        t.string("address", 300).notNullable();
        t.string("phone_number", 32).notNullable();
        t.string("status", 16).notNullable();
        t.datetime("started_at", { precision: 3 }).nullable().index();
        t.datetime("completed_at", { precision: 3 }).nullable();
        t.datetime("canceled_at", { precision: 3 }).nullable();
      });
    },
  },
];

interface DeliveryRow {
  id: string; order_id: string; address: string; phone_number: string; status: string;
  started_at: Date | number | null; completed_at: Date | number | null; canceled_at: Date | number | null;
}

const date = (v: Date | number | null) => (v == null ? undefined : new Date(v));
const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id, orderId: r.order_id, address: r.address, phoneNumber: r.phone_number, status: r.status as DeliveryStatus,
  startedAt: date(r.started_at), completedAt: date(r.completed_at), canceledAt: date(r.canceled_at),
});

export async function findDelivery(db: Knex, id: string, lock = false): Promise<Delivery | undefined> {
  const row = await forUpdate(db<DeliveryRow>("deliveries").where({ id }).first(), lock);
  return row ? toDelivery(row) : undefined;
}

export async function findDeliveryOfOrder(db: Knex, orderId: string, lock = false): Promise<Delivery | undefined> {
  const row = await forUpdate(db<DeliveryRow>("deliveries").where({ order_id: orderId }).first(), lock);
  return row ? toDelivery(row) : undefined;
}

export async function listDeliveries(db: Knex, orderId: string): Promise<Delivery[]> {
  const q = db<DeliveryRow>("deliveries").orderBy("id", "desc").limit(1000);
  if (orderId) q.where({ order_id: orderId });
  return (await q).map(toDelivery);
}

const deliveryEvents = { DeliveryStarted, DeliveryCompleted, DeliveryCanceled };

/** Persists a decision and its events in the caller's transaction. */
export async function saveDecision(tx: Transaction, decision: Decision, isNew: boolean): Promise<void> {
  const d = decision.delivery;
  if (d) {
    const row = {
      order_id: d.orderId, address: d.address, phone_number: d.phoneNumber, status: d.status,
      started_at: d.startedAt ?? null, completed_at: d.completedAt ?? null, canceled_at: d.canceledAt ?? null,
    };
    if (isNew) await tx.db("deliveries").insert({ id: d.id, ...row });
    else await tx.db("deliveries").where({ id: d.id }).update(row);
  }
  emitEvents(tx, deliveryEvents, decision.events, (e) => ({ correlationId: e.orderId }));
}
