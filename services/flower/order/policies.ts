import { isEvent, type Policy } from "../../../mesh/index.js";
import { DeliveryCompleted, DeliveryStarted, FlowerSold, FlowerWrapped, OrderRejected, StockChanged } from "../events.js";
import * as domain from "./domain.js";
import * as store from "./store.js";

// Reactions of the order context to the store's and the courier's events (inbound adapter).

const reported = (type: string) =>
  ({ FlowerWrapped: "Wrapped", FlowerSold: "Sold", DeliveryStarted: "DeliveryStarted", DeliveryCompleted: "Delivered" } as const)[type as "FlowerWrapped"];

const advance = (name: string, on: Policy["on"]): Policy => ({
  name,
  on,
  async handle(event, tx) {
    // Every event these policies take names its order.
    const orderId = (event.message as unknown as { orderId: string }).orderId;
    const order = await store.findOrder(tx.db, orderId, true);
    const next = order && domain.advanceOrder(order, reported(event.type.name));
    if (next) await store.saveOrder(tx, next, [], false);
  },
});

/** The order context's policies (the view's projection lives in view.ts). */
export const orderPolicies: Policy[] = [
  advance("advanceOrderWhenStoreHandedOver", [FlowerWrapped, FlowerSold]),
  advance("advanceOrderWhenDeliveryProgressed", [DeliveryStarted, DeliveryCompleted]),
  {
    // Step 3's other outcome: the store could not take the flowers, so the order is cancelled
    // (and OrderCancelled refunds the payment).
    name: "cancelOrderWhenOrderRejected",
    on: [OrderRejected],
    async handle(event, tx) {
      if (!isEvent(event, OrderRejected)) return;
      const order = await store.findOrder(tx.db, event.message.orderId, true);
      if (!order) return;
      const result = domain.cancelOrder(order, `rejected by the store: ${event.message.reason}`, new Date());
      if (!domain.isRefusal(result)) await store.saveOrder(tx, result.order, result.events, false);
    },
  },
  {
    // Keeps the stock levels the PlaceOrder fallback uses while the store is down.
    name: "rememberStockWhenStockChanged",
    on: [StockChanged],
    async handle(event, tx) {
      if (!isEvent(event, StockChanged)) return;
      const m = event.message;
      await store.rememberFlower(tx.db, { id: m.flowerId, name: m.name, price: { amount: m.price?.amount ?? 0n, currency: m.price?.currency ?? "" }, stock: m.stock });
    },
  },
];
