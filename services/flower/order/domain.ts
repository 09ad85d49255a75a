// The customer's order: placing it (paid, or not at all), cancelling it, and following it
// as the store and the courier report. Pure: decisions return the new state and events.
import { decide, further, refuse, times, type Decision, type Money, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export type OrderStatus = "Placed" | "Wrapped" | "DeliveryStarted" | "Delivered" | "Sold" | "Cancelled";

export interface Order {
  id: string;
  flowerId: string;
  qty: number;
  address: string;
  phoneNumber: string;
  isOffline: boolean;
  price: Money;
  amount: Money;
  orderDate: Date;
  status: OrderStatus;
  orderCancelDate?: Date;
  cancelReason: string;
  paymentId: string;
  /** When the customer asked to cancel; the store or the courier decides. */
  cancelRequestedAt?: Date;
  /** Why they refused it ("already delivered"); empty otherwise. */
  cancelRefusal: string;
}

/** What the customer asks for. */
export type PlaceOrder = Pick<Order, "flowerId" | "qty" | "address" | "phoneNumber" | "isOffline">;

/** What order knows of a flower: from store.GetFlower, or from the last StockChanged seen. */
export interface KnownFlower {
  id: string;
  name: string;
  price: Money;
  stock: number;
}

/** Paid and placed: everything the store and the courier need. */
export type OrderPlaced = { type: "OrderPlaced"; orderId: string } & PlaceOrder & Pick<Order, "price" | "amount" | "paymentId">;
/** The customer asked to cancel: the party holding the flowers decides (the store for pick-up, the courier for delivery). */
export type OrderCancelRequested = { type: "OrderCancelRequested"; orderId: string; reason: string } & Pick<Order, "flowerId" | "qty" | "isOffline">;
/** A confirmed cancellation: payment refunds, the store restocks. */
export type OrderCancelled = { type: "OrderCancelled"; orderId: string; reason: string } & Pick<Order, "flowerId" | "qty">;
/** Never placed (payment failed or its answer was lost): whatever was paid is refunded. */
export type OrderAbandoned = { type: "OrderAbandoned"; orderId: string; reason: string };
export type OrderEvent = OrderPlaced | OrderCancelRequested | OrderCancelled | OrderAbandoned;

/** The largest number of flowers in one order. */
export const MAX_QTY = 1000;

/** Step 1: the order is refused when the store's stock (as known) is short. */
export function checkStock(flower: KnownFlower, qty: number): Refusal | undefined {
  if (flower.stock >= qty) return undefined;
  return refuse("OUT_OF_STOCK", `out of stock: ${flower.stock} ${flower.name} left, ${qty} ordered`);
}

/** What the customer pays: the catalogue price times the quantity. */
export const priceOrder = (flower: KnownFlower, qty: number): Money => times(flower.price, qty);

/** Step 2's other outcome: no order, and whatever the payment took is refunded. */
export const abandonOrder = (orderId: string, reason: string): OrderAbandoned => ({ type: "OrderAbandoned", orderId, reason });

/** Step 3: once paid, the order is placed and goes to the store. */
export function placeOrder(id: string, command: PlaceOrder, flower: KnownFlower, paymentId: string, now: Date): Decision<Order, OrderEvent> {
  const order: Order = {
    id, ...command, price: flower.price, amount: priceOrder(flower, command.qty), orderDate: now, status: "Placed", cancelReason: "", cancelRefusal: "", paymentId,
  };
  const { id: orderId, flowerId, qty, address, phoneNumber, isOffline, price, amount } = order;
  return decide(order, { type: "OrderPlaced", orderId, flowerId, qty, address, phoneNumber, isOffline, price, amount, paymentId });
}

/** A cancel request the store or the courier has not answered yet. */
export const cancelPending = (order: Order): boolean => order.cancelRequestedAt !== undefined && order.cancelRefusal === "" && order.status !== "Cancelled";

/**
 * Step 6: the customer asks to cancel an order until it is delivered or sold. Order only knows
 * what has been reported, so the party holding the flowers decides (OrderCancelRequested);
 * asking again while it decides, or once cancelled, changes nothing.
 */
export function requestCancel(order: Order, reason: string, now: Date): Outcome<Order, OrderEvent> {
  if (order.status === "Cancelled" || cancelPending(order)) return decide(order);
  if (order.status === "Delivered" || order.status === "Sold") {
    return refuse(`ORDER_${order.status.toUpperCase()}`, `order ${order.id} is already ${order.status.toLowerCase()}; it can no longer be cancelled`);
  }
  const { id: orderId, flowerId, qty, isOffline } = order;
  return decide({ ...order, cancelRequestedAt: now, cancelReason: reason, cancelRefusal: "" }, { type: "OrderCancelRequested", orderId, flowerId, qty, isOffline, reason });
}

/**
 * The store or the courier confirmed the cancellation, or the store rejected the order: the
 * order is cancelled (OrderCancelled: refund and restock follow). Confirming twice changes nothing.
 */
export function confirmCancel(order: Order, reason: string, now: Date): Decision<Order, OrderEvent> {
  if (order.status === "Cancelled") return decide(order);
  const cancelled: Order = { ...order, status: "Cancelled", orderCancelDate: now, cancelReason: reason, cancelRefusal: "" };
  return decide(cancelled, { type: "OrderCancelled", orderId: order.id, flowerId: order.flowerId, qty: order.qty, reason });
}

/** Fulfilment came first: the order stays as reported, with the refusal for the customer to see. */
export function refuseCancel(order: Order, reason: string): Decision<Order, OrderEvent> {
  if (order.status === "Cancelled" || order.cancelRefusal === reason) return decide(order);
  return decide({ ...order, cancelRefusal: reason });
}

/** How far each status is along the order's way; a report never moves an order back. */
const progress: Record<OrderStatus, number> = { Placed: 0, Wrapped: 1, DeliveryStarted: 2, Delivered: 3, Sold: 3, Cancelled: 4 };

/** The status further along of two: reports arrive out of order, and never move an order back. */
export function furtherStatus(current: OrderStatus, reported: OrderStatus): OrderStatus {
  return further(progress, current, reported);
}

/** Steps 4 and 5: the store and the courier report progress; the order follows it. */
export function advanceOrder(order: Order, reported: "Wrapped" | "DeliveryStarted" | "Delivered" | "Sold"): Decision<Order> {
  const status = furtherStatus(order.status, reported);
  return decide(status === order.status ? order : { ...order, status });
}
