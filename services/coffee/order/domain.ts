// The customer's coffee order: taking it (paid, or not at all), cancelling it when the kitchen
// agrees, and following the kitchen's progress. Pure: decisions return the new state and events.
import { decide, further, refuse, times, type Decision, type Money, type Refusal } from "../../../mesh/kernel/index.js";

export type OrderStatus = "Requested" | "Started" | "Completed" | "Canceled";
export const orderStatuses: readonly OrderStatus[] = ["Requested", "Started", "Completed", "Canceled"];

export interface Order {
  id: string;
  productName: string;
  qty: number;
  customerId: string;
  price: Money;
  amount: Money;
  status: OrderStatus;
  orderDate: Date;
  cancelDate?: Date;
  cancelReason: string;
  paymentId: string;
}

/** What the customer asks for (the seed's productName and qty). */
export type PlaceOrder = Pick<Order, "productName" | "qty" | "customerId">;

/** Paid and taken: everything the kitchen, the view and notification need. */
export type Ordered = { type: "Ordered"; orderId: string } & PlaceOrder & Pick<Order, "amount" | "paymentId">;
/** A confirmed cancellation (the kitchen cancelled or rejected it): payment refunds. */
export type OrderCanceled = { type: "OrderCanceled"; orderId: string; productName: string; qty: number; reason: string };
/** Never taken (payment failed or its answer was lost): whatever was paid is refunded. */
export type OrderAbandoned = { type: "OrderAbandoned"; orderId: string; reason: string };
export type OrderEvent = Ordered | OrderCanceled | OrderAbandoned;

/** The most cups in one order. */
export const MAX_QTY = 100;

/** Step 1: the menu prices the order; an item not on it is refused. */
export function priceOf(menu: ReadonlyMap<string, Money>, productName: string): Money | Refusal {
  const price = menu.get(productName);
  return price ?? refuse("NOT_ON_MENU", `${productName} is not on the menu (${[...menu.keys()].join(", ")})`);
}

/** Step 1's other outcome: no order, and whatever the payment took is refunded. */
export const abandonOrder = (orderId: string, reason: string): OrderAbandoned => ({ type: "OrderAbandoned", orderId, reason });

/** Step 1-2: once paid, the order is taken (Requested) and goes to the kitchen. */
export function placeOrder(id: string, command: PlaceOrder, price: Money, paymentId: string, now: Date): Decision<Order, OrderEvent> {
  const amount = times(price, command.qty);
  const order: Order = { id, ...command, price, amount, status: "Requested", orderDate: now, cancelReason: "", paymentId };
  return decide(order, { type: "Ordered", orderId: id, ...command, amount, paymentId });
}

/**
 * Step 6, what order knows itself: a cancelled order is cancelled already (undefined: nothing to
 * ask); one it has seen started or completed is refused without asking the kitchen. Otherwise the
 * kitchen decides (it may have started meanwhile).
 */
export function cancelRefusal(order: Order): Refusal | undefined {
  if (order.status === "Started" || order.status === "Completed") return productionStarted(order.id);
  return undefined;
}

/** The refusal once production started (the kitchen's reason, in the same words). */
export const productionStarted = (orderId: string): Refusal =>
  refuse("PRODUCTION_STARTED", `order ${orderId} cannot be cancelled: its production has already started`);

/**
 * Steps 5-7: the kitchen cancelled the production (the customer's cancel) or rejected it (no
 * stock): the order is cancelled, and refunded on OrderCanceled. Confirming twice changes nothing.
 */
export function confirmCancel(order: Order, reason: string, now: Date): Decision<Order, OrderEvent> {
  if (order.status === "Canceled") return decide(order);
  const canceled: Order = { ...order, status: "Canceled", cancelDate: now, cancelReason: reason.slice(0, 300) };
  return decide(canceled, { type: "OrderCanceled", orderId: order.id, productName: order.productName, qty: order.qty, reason: canceled.cancelReason });
}

/** How far each status is along the order's way; a report never moves an order back. */
const progress: Record<OrderStatus, number> = { Requested: 0, Started: 1, Completed: 2, Canceled: 3 };

/** The status further along of two: reports arrive out of order and never move an order back. */
export function furtherStatus(current: OrderStatus, reported: OrderStatus): OrderStatus {
  return further(progress, current, reported);
}

/** Step 4: the kitchen reports progress; the order follows it. */
export function advanceOrder(order: Order, reported: "Started" | "Completed"): Decision<Order, OrderEvent> {
  const status = furtherStatus(order.status, reported);
  return decide(status === order.status ? order : { ...order, status });
}
