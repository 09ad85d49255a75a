import { newId, on, policy, RetryLaterError, type Client, type Policy, type Repository } from "../../../mesh/index.js";
import type { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { FlowerWrapped, OrderCancelRequested } from "../events.js";
import { cancelDelivery, startDelivery, type Delivery, type DeliveryEvent } from "./domain.js";

// Reactions of the courier to the store's and the order's events (inbound adapter).

/** Creates the courier's policies; the address comes from the order context, as in the seed. */
export function createDeliveryPolicies(deliveries: Repository<Delivery, DeliveryEvent>, orders: Client<typeof OrderService>): Policy[] {
  return [
    policy("startDeliveryWhenFlowerWrapped", on(FlowerWrapped, {
      // Asked before the transaction opens, so no lock is held across the call.
      prepare: async ({ message }) => (await orders.getOrder({ id: message.orderId }, {
        fallback: (error) => {
          throw new RetryLaterError(`the order context is unavailable (${error.rawMessage}); the delivery starts when it answers`, 2000);
        },
      })).order,
      handle: async ({ message: { orderId } }, tx, order) => {
        if (!order) return;
        const { address, phoneNumber } = order;
        await deliveries.apply(tx, { orderId }, (existing) => startDelivery(existing, { id: newId(), orderId, address, phoneNumber }, new Date()));
      },
    })),
    // The courier answers for a delivery order (the store for a pick-up one, which never has a delivery).
    policy("decideCancelWhenDeliveryCancelRequested", on(OrderCancelRequested, async ({ message: { orderId, isOffline, reason } }, tx) => {
      if (isOffline) return;
      await deliveries.apply(tx, { orderId }, (existing) => cancelDelivery(existing, { id: newId(), orderId, reason }, new Date()));
    })),
  ];
}
