import { isEvent, newId, RetryLaterError, type Client, type Policy } from "../../../mesh/index.js";
import type { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { FlowerWrapped, OrderCancelled } from "../events.js";
import * as domain from "./domain.js";
import * as store from "./store.js";

// Reactions of the courier to the store's and the order's events (inbound adapter).

/** Creates the courier's policies; the address comes from the order context, as in the seed. */
export function createDeliveryPolicies(orders: Client<typeof OrderService>): Policy[] {
  return [
    {
      name: "startDeliveryWhenFlowerWrapped",
      on: [FlowerWrapped],
      // Asked before the transaction opens, so no lock is held across the call.
      async prepare(event) {
        if (!isEvent(event, FlowerWrapped)) return undefined;
        const { order } = await orders.getOrder({ id: event.message.orderId }, {
          fallback: (error) => {
            throw new RetryLaterError(`the order context is unavailable (${error.rawMessage}); the delivery starts when it answers`, 2000);
          },
        });
        return order;
      },
      async handle(event, tx, order) {
        if (!isEvent(event, FlowerWrapped) || !order) return;
        const { address, phoneNumber } = order as { address: string; phoneNumber: string };
        const existing = await store.findDeliveryOfOrder(tx.db, event.message.orderId, true);
        const decision = domain.startDelivery(existing, { id: newId(), orderId: event.message.orderId, address, phoneNumber }, new Date());
        await store.saveDecision(tx, decision, !existing);
      },
    },
    {
      name: "cancelDeliveryWhenOrderCancelled",
      on: [OrderCancelled],
      async handle(event, tx) {
        if (!isEvent(event, OrderCancelled)) return;
        const existing = await store.findDeliveryOfOrder(tx.db, event.message.orderId, true);
        const decision = domain.cancelDelivery(existing, { id: newId(), orderId: event.message.orderId }, new Date());
        await store.saveDecision(tx, decision, !existing);
      },
    },
  ];
}
