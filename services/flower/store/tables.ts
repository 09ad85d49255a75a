import { bool, emitEvents, eventsOf, int, money, table, text, timestamp, type Transaction } from "../../../mesh/index.js";
import { FlowerSold, FlowerWrapped, OrderRejected, StockChanged, storeAnswers } from "../events.js";
import type { Flower, StoreDecision, StoreEvent, StoreOrder, StoreOrderStatus } from "./domain.js";

// The store's tables, declared once: its catalogue and the orders that reached it.

const storeEvents = eventsOf<StoreEvent>()({ StockChanged, FlowerWrapped, FlowerSold, OrderRejected, ...storeAnswers });

export const flowers = table<Flower, StoreEvent>("flowers", { id: text(64).key(), name: text(100), price: money(), stock: int() }, {
  resource: "flower", events: storeEvents,
});

export const storeOrders = table<StoreOrder, StoreEvent>("store_orders", {
  orderId: text(64).key(), flowerId: text(64), qty: int(), isOffline: bool(), status: text<StoreOrderStatus>(16).index(), reason: text(300),
  receivedAt: timestamp(), updatedAt: timestamp(),
}, { resource: "store order", events: storeEvents });

/** Writes a decision over both aggregates, and its events, in the caller's transaction. */
export async function recordDecision(tx: Transaction, decision: StoreDecision, was: { order?: StoreOrder; flower?: Flower }): Promise<void> {
  if (decision.flower) await flowers.save(tx.db, decision.flower, was.flower);
  if (decision.order) await storeOrders.save(tx.db, decision.order, was.order);
  emitEvents(tx, storeEvents, decision.events);
}
