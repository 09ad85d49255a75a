import type { Knex } from "knex";
import { emitEvents, forUpdate, type Migration, type Transaction } from "../../../mesh/index.js";
import { FlowerSold, FlowerWrapped, OrderRejected, StockChanged } from "../events.js";
import type { Decision, Flower, StoreOrder, StoreOrderStatus } from "./domain.js";

// Persistence of the store's catalogue and incoming orders (outbound adapter).

export const migrations: Migration[] = [
  {
    name: "0001_flowers_and_store_orders",
    async up(db) {
      await db.schema.createTable("flowers", (t) => {
        t.string("id", 64).primary();
        t.string("name", 100).notNullable();
        t.bigInteger("price_amount").notNullable();
        t.string("price_currency", 3).notNullable();
        t.integer("stock").notNullable();
      });
      await db.schema.createTable("store_orders", (t) => {
        t.string("order_id", 64).primary();
        t.string("flower_id", 64).notNullable();
        t.integer("qty").notNullable();
        t.boolean("is_offline").notNullable();
        t.string("status", 16).notNullable().index();
        t.string("reason", 300).notNullable();
        t.datetime("received_at", { precision: 3 }).notNullable();
        t.datetime("updated_at", { precision: 3 }).notNullable();
      });
    },
  },
];

interface FlowerRow { id: string; name: string; price_amount: number | string; price_currency: string; stock: number }
interface StoreOrderRow {
  order_id: string; flower_id: string; qty: number; is_offline: number | boolean; status: string; reason: string;
  received_at: Date | number; updated_at: Date | number;
}

const toFlower = (r: FlowerRow): Flower => ({
  id: r.id, name: r.name, price: { amount: BigInt(r.price_amount), currency: r.price_currency }, stock: Number(r.stock),
});
const fromFlower = (f: Flower) => ({
  id: f.id, name: f.name, price_amount: f.price.amount.toString(), price_currency: f.price.currency, stock: f.stock,
});

/** A store order with the times the view of it needs. */
export interface StoreOrderRecord extends StoreOrder {
  receivedAt: Date;
  updatedAt: Date;
}

const toStoreOrder = (r: StoreOrderRow): StoreOrderRecord => ({
  orderId: r.order_id, flowerId: r.flower_id, qty: Number(r.qty), isOffline: Boolean(r.is_offline),
  status: r.status as StoreOrderStatus, reason: r.reason, receivedAt: new Date(r.received_at), updatedAt: new Date(r.updated_at),
});

/** Reads a flower; `lock` holds it until the transaction ends (stock is read-modify-write). */
export async function findFlower(db: Knex, id: string, lock = false): Promise<Flower | undefined> {
  const row = await forUpdate(db<FlowerRow>("flowers").where({ id }).first(), lock);
  return row ? toFlower(row) : undefined;
}

export async function listFlowers(db: Knex): Promise<Flower[]> {
  return (await db<FlowerRow>("flowers").orderBy("id")).map(toFlower);
}

export async function saveFlower(db: Knex, flower: Flower, isNew: boolean): Promise<void> {
  if (isNew) await db("flowers").insert(fromFlower(flower));
  else await db("flowers").where({ id: flower.id }).update(fromFlower(flower));
}

export async function findStoreOrder(db: Knex, orderId: string, lock = false): Promise<StoreOrderRecord | undefined> {
  const row = await forUpdate(db<StoreOrderRow>("store_orders").where({ order_id: orderId }).first(), lock);
  return row ? toStoreOrder(row) : undefined;
}

export async function listStoreOrders(db: Knex, status?: StoreOrderStatus): Promise<StoreOrderRecord[]> {
  const q = db<StoreOrderRow>("store_orders").orderBy("received_at", "desc").limit(1000);
  if (status) q.where({ status });
  return (await q).map(toStoreOrder);
}

export async function saveStoreOrder(db: Knex, order: StoreOrder, isNew: boolean): Promise<void> {
  const now = new Date();
  const row = {
    flower_id: order.flowerId, qty: order.qty, is_offline: order.isOffline, status: order.status, reason: order.reason, updated_at: now,
  };
  if (isNew) await db("store_orders").insert({ order_id: order.orderId, received_at: now, ...row });
  else await db("store_orders").where({ order_id: order.orderId }).update(row);
}

const storeEvents = { StockChanged, FlowerWrapped, FlowerSold, OrderRejected };

/** Persists a decision and its events in the caller's transaction. */
export async function saveDecision(
  tx: Transaction,
  decision: Decision,
  existing: { order?: StoreOrder; flower?: Flower },
): Promise<void> {
  if (decision.flower) await saveFlower(tx.db, decision.flower, !existing.flower);
  if (decision.order) await saveStoreOrder(tx.db, decision.order, !existing.order);
  // The order is the saga's key; a catalogue change belongs to no order.
  emitEvents(tx, storeEvents, decision.events, (e) => ({ correlationId: e.orderId || `flower-${e.flowerId}` }));
}
