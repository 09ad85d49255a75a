import { on, policy, type Policy, type Repository } from "../../../mesh/index.js";
import { OrderCancelled, OrderCancelRequested, OrderPlaced } from "../events.js";
import { cancelOrder, decideCancel, receiveOrder, type Flower, type StoreEvent, type StoreOrder, type WrapMode } from "./domain.js";
import { recordDecision } from "./tables.js";

// Reactions of the store to the order context's events (inbound adapter).

/** Creates the store's policies; `wrapMode` says whether delivery orders are wrapped at once. */
export function createStorePolicies(flowers: Repository<Flower, StoreEvent>, storeOrders: Repository<StoreOrder, StoreEvent>, wrapMode: WrapMode): Policy[] {
  return [
    policy("takeFlowersOutOfStockWhenOrderPlaced", on(OrderPlaced, async ({ message: placed }, tx) => {
      const order = await storeOrders.find(placed.orderId, { tx, lock: true });
      const flower = await flowers.find(placed.flowerId, { tx, lock: true });
      await recordDecision(tx, receiveOrder(placed, order, flower, wrapMode, new Date()), { order, flower });
    })),
    // The store holds a pick-up order's flowers, so it answers the customer's request (the courier answers for a delivery).
    policy("decideCancelWhenPickUpCancelRequested", on(OrderCancelRequested, async ({ message: request }, tx) => {
      if (!request.isOffline) return;
      const order = await storeOrders.find(request.orderId, { tx, lock: true });
      const flower = await flowers.find(order?.flowerId ?? request.flowerId, { tx, lock: true });
      await recordDecision(tx, decideCancel(request, order, flower, new Date()), { order, flower });
    })),
    policy("restoreStockWhenOrderCancelled", on(OrderCancelled, async ({ message: cancelled }, tx) => {
      const order = await storeOrders.find(cancelled.orderId, { tx, lock: true });
      const flower = await flowers.find(order?.flowerId ?? cancelled.flowerId, { tx, lock: true });
      await recordDecision(tx, cancelOrder(cancelled, order, flower, new Date()), { order, flower });
    })),
  ];
}
