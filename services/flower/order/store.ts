import type { Knex } from "knex";
import { emitEvents, forUpdate, type Migration, type Transaction } from "../../../mesh/index.js";
import { OrderCancelled, OrderPlaced } from "../events.js";
import type { KnownFlower, Order, OrderEvent, OrderStatus } from "./domain.js";

// Persistence of orders and of the stock levels order has seen (outbound adapter).

export const migrations: Migration[] = [
  {
    name: "0001_orders",
    async up(db) {
      await db.schema.createTable("orders", (t) => {
        t.string("id", 64).primary();
        t.string("flower_id", 64).notNullable();
        t.integer("qty").notNullable();
        t.string("address", 300).notNullable();
        t.string("phone_number", 32).notNullable().index();
        t.boolean("is_offline").notNullable();
        t.bigInteger("price_amount").notNullable();
        t.bigInteger("amount").notNullable();
        t.string("currency", 3).notNullable();
        t.datetime("order_date", { precision: 3 }).notNullable();
        t.string("status", 20).notNullable();
        t.datetime("order_cancel_date", { precision: 3 }).nullable();
        t.string("cancel_reason", 300).notNullable();
        t.string("payment_id", 64).notNullable();
      });
      // The fallback of the stock check when the store is down: the last levels seen in events.
      await db.schema.createTable("known_flowers", (t) => {
        t.string("id", 64).primary();
        t.string("name", 100).notNullable();
        t.bigInteger("price_amount").notNullable();
        t.string("price_currency", 3).notNullable();
        t.integer("stock").notNullable();
      });
    },
  },
];

interface OrderRow {
  id: string; flower_id: string; qty: number; address: string; phone_number: string; is_offline: number | boolean;
  price_amount: number | string; amount: number | string; currency: string; order_date: Date | number; status: string;
  order_cancel_date: Date | number | null; cancel_reason: string; payment_id: string;
}
interface KnownFlowerRow { id: string; name: string; price_amount: number | string; price_currency: string; stock: number }

const toOrder = (r: OrderRow): Order => ({
  id: r.id, flowerId: r.flower_id, qty: Number(r.qty), address: r.address, phoneNumber: r.phone_number,
  isOffline: Boolean(r.is_offline), price: { amount: BigInt(r.price_amount), currency: r.currency },
  amount: { amount: BigInt(r.amount), currency: r.currency }, orderDate: new Date(r.order_date),
  status: r.status as OrderStatus, orderCancelDate: r.order_cancel_date == null ? undefined : new Date(r.order_cancel_date),
  cancelReason: r.cancel_reason, paymentId: r.payment_id,
});

const fromOrder = (o: Order) => ({
  id: o.id, flower_id: o.flowerId, qty: o.qty, address: o.address, phone_number: o.phoneNumber, is_offline: o.isOffline,
  price_amount: o.price.amount.toString(), amount: o.amount.amount.toString(), currency: o.amount.currency,
  order_date: o.orderDate, status: o.status, order_cancel_date: o.orderCancelDate ?? null, cancel_reason: o.cancelReason,
  payment_id: o.paymentId,
});

export async function findOrder(db: Knex, id: string, lock = false): Promise<Order | undefined> {
  const row = await forUpdate(db<OrderRow>("orders").where({ id }).first(), lock);
  return row ? toOrder(row) : undefined;
}

export async function listOrders(db: Knex, phoneNumber: string): Promise<Order[]> {
  const q = db<OrderRow>("orders").orderBy("order_date", "desc").limit(1000);
  if (phoneNumber) q.where({ phone_number: phoneNumber });
  return (await q).map(toOrder);
}

const orderEvents = { OrderPlaced, OrderCancelled };

/** Saves an order and the events its decision produced, in the caller's transaction. */
export async function saveOrder(tx: Transaction, order: Order, events: OrderEvent[], isNew: boolean): Promise<void> {
  if (isNew) await tx.db("orders").insert(fromOrder(order));
  else await tx.db("orders").where({ id: order.id }).update(fromOrder(order));
  emitEvents(tx, orderEvents, events, { correlationId: order.id });
}

export async function findKnownFlower(db: Knex, id: string): Promise<KnownFlower | undefined> {
  const r = await db<KnownFlowerRow>("known_flowers").where({ id }).first();
  return r && { id: r.id, name: r.name, price: { amount: BigInt(r.price_amount), currency: r.price_currency }, stock: Number(r.stock) };
}

/** Records a stock level seen in a StockChanged event. */
export async function rememberFlower(db: Knex, f: KnownFlower): Promise<void> {
  await db("known_flowers")
    .insert({ id: f.id, name: f.name, price_amount: f.price.amount.toString(), price_currency: f.price.currency, stock: f.stock })
    .onConflict("id").merge();
}

/** Lowers the known level by an order placed while the store could not be asked. */
export async function takeFromKnownStock(db: Knex, id: string, qty: number): Promise<void> {
  await db("known_flowers").where({ id }).decrement("stock", qty);
}
