import { on, policy, type Policy, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { ProductCanceled, Produced, ProductionRejected, ProductionStarted } from "../events.js";
import { advanceOrder, confirmCancel, type Order, type OrderEvent } from "./domain.js";

// Reactions of the order context to the kitchen's events (inbound adapter).

/** The order context's policies. */
export function createOrderPolicies(orders: Repository<Order, OrderEvent>): Policy[] {
  const advance = (reported: "Started" | "Completed") => (event: ReceivedEvent, tx: Transaction) =>
    orders.apply(tx, event.businessKey, (order) => order && advanceOrder(order, reported)).then(() => undefined);
  const cancel = (tx: Transaction, orderId: string, reason: string) =>
    orders.apply(tx, orderId, (order) => order && confirmCancel(order, reason, new Date())).then(() => undefined);
  return [
    policy("advanceOrderWhenProductionProgressed", on(ProductionStarted, advance("Started")), on(Produced, advance("Completed"))),
    // Step 5: no stock, no coffee: the order is cancelled and refunded (on OrderCanceled).
    // Step 7: the kitchen's own record of a cancellation; the order is cancelled even if the command that asked died first.
    policy("cancelOrderWhenProductionCanceledOrRejected",
      on(ProductionRejected, ({ message: m }, tx) => cancel(tx, m.orderId, `rejected by the kitchen: ${m.reason}`)),
      on(ProductCanceled, ({ message: m }, tx) => cancel(tx, m.orderId, m.reason || "cancelled by the kitchen"))),
  ];
}
