import { on, policy, type Policy, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { deliveryAnswers, DeliveryCompleted, DeliveryStarted, FlowerSold, FlowerWrapped, OrderRejected, StockChanged, storeAnswers } from "../events.js";
import { advanceOrder, confirmCancel, refuseCancel, type KnownFlower, type Order, type OrderEvent } from "./domain.js";

// Reactions of the order context to the store's and the courier's events (inbound adapter).

/** The order context's policies (the view's projection lives in view.ts). */
export function createOrderPolicies(orders: Repository<Order, OrderEvent>, knownFlowers: Repository<KnownFlower>): Policy[] {
  const advance = (reported: Parameters<typeof advanceOrder>[1]) => (event: ReceivedEvent, tx: Transaction) =>
    orders.apply(tx, event.businessKey, (order) => order && advanceOrder(order, reported)).then(() => undefined);
  return [
    policy("advanceOrderWhenStoreHandedOver", on(FlowerWrapped, advance("Wrapped")), on(FlowerSold, advance("Sold"))),
    policy("advanceOrderWhenDeliveryProgressed", on(DeliveryStarted, advance("DeliveryStarted")), on(DeliveryCompleted, advance("Delivered"))),
    // Step 3's other outcome: the store could not take the flowers, so the order is cancelled (and refunded on OrderCancelled).
    policy("cancelOrderWhenOrderRejected", on(OrderRejected, async ({ message: m }, tx) => {
      await orders.apply(tx, m.orderId, (order) => order && confirmCancel(order, `rejected by the store: ${m.reason}`, new Date()));
    })),
    // Step 6: the party holding the flowers answered the customer's cancel request.
    policy("followCancelAnswer",
      ...[storeAnswers, deliveryAnswers].flatMap((answers) => [
        on(answers.CancelConfirmed, async ({ message: m }, tx) => {
          await orders.apply(tx, m.referenceId, (order) => order && confirmCancel(order, order.cancelReason || m.reason, new Date()));
        }),
        on(answers.CancelRefused, async ({ message: m }, tx) => {
          await orders.apply(tx, m.referenceId, (order) => order && refuseCancel(order, m.reason));
        }),
      ])),
    // Keeps the stock levels the PlaceOrder fallback uses while the store is down.
    policy("rememberStockWhenStockChanged", on(StockChanged, async ({ message: m }, tx) => {
      await knownFlowers.table.upsert(tx.db, { id: m.flowerId, name: m.name, price: m.price ?? { amount: 0n, currency: "" }, stock: m.stock });
    })),
  ];
}
