import { isEvent, type Policy } from "../../../mesh/index.js";
import { OrderCancelled, OrderPlaced } from "../events.js";
import * as domain from "./domain.js";
import * as store from "./store.js";

// Reactions of the store to the order context's events (inbound adapter).

/** Creates the store's policies; `wrapMode` says whether delivery orders are wrapped at once. */
export function createStorePolicies(wrapMode: domain.WrapMode): Policy[] {
  return [
    {
      name: "takeFlowersOutOfStockWhenOrderPlaced",
      on: [OrderPlaced],
      async handle(event, tx) {
        if (!isEvent(event, OrderPlaced)) return;
        const placed = event.message;
        const existing = await store.findStoreOrder(tx.db, placed.orderId, true);
        const flower = await store.findFlower(tx.db, placed.flowerId, true);
        const decision = domain.receiveOrder(placed, existing, flower, wrapMode);
        await store.saveDecision(tx, decision, { order: existing, flower });
      },
    },
    {
      name: "restoreStockWhenOrderCancelled",
      on: [OrderCancelled],
      async handle(event, tx) {
        if (!isEvent(event, OrderCancelled)) return;
        const cancelled = event.message;
        const existing = await store.findStoreOrder(tx.db, cancelled.orderId, true);
        const flower = await store.findFlower(tx.db, existing?.flowerId ?? cancelled.flowerId, true);
        const decision = domain.cancelOrder(cancelled, existing, flower);
        await store.saveDecision(tx, decision, { order: existing, flower });
      },
    },
  ];
}
