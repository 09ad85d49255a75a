// The customer's order: placing it (paid, or not at all), cancelling it, and following it
// as the store and the courier report. Pure: decisions return the new state and events.

export interface Money {
  amount: bigint;
  currency: string;
}

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
}

export interface PlaceOrder {
  flowerId: string;
  qty: number;
  address: string;
  phoneNumber: string;
  isOffline: boolean;
}

/** What order knows of a flower: from store.GetFlower, or from the last StockChanged seen. */
export interface KnownFlower {
  id: string;
  name: string;
  price: Money;
  stock: number;
}

export type OrderEvent =
  | {
    type: "OrderPlaced"; orderId: string; flowerId: string; qty: number; address: string; phoneNumber: string;
    isOffline: boolean; price: Money; amount: Money; paymentId: string;
  }
  | { type: "OrderCancelled"; orderId: string; flowerId: string; qty: number; reason: string };

/** A command the order's rules refuse, with a reason for people and a stable code. */
export interface Refusal {
  refused: string;
  code: string;
}

/** The largest number of flowers in one order. */
export const MAX_QTY = 1000;

/** Step 1: the order is refused when the store's stock (as known) is short. */
export function checkStock(flower: KnownFlower, qty: number): Refusal | undefined {
  if (flower.stock < qty) {
    return { refused: `out of stock: ${flower.stock} ${flower.name} left, ${qty} ordered`, code: "OUT_OF_STOCK" };
  }
  return undefined;
}

/** What the customer pays: the catalogue price times the quantity. */
export function priceOrder(flower: KnownFlower, qty: number): Money {
  return { amount: flower.price.amount * BigInt(qty), currency: flower.price.currency };
}

/** Step 3: once paid, the order is placed and goes to the store. */
export function placeOrder(id: string, command: PlaceOrder, flower: KnownFlower, paymentId: string, now: Date) {
  const order: Order = {
    id, ...command, price: flower.price,
    amount: priceOrder(flower, command.qty), orderDate: now, status: "Placed", cancelReason: "", paymentId,
  };
  const event: OrderEvent = {
    type: "OrderPlaced", orderId: id, flowerId: order.flowerId, qty: order.qty, address: order.address,
    phoneNumber: order.phoneNumber, isOffline: order.isOffline, price: order.price, amount: order.amount, paymentId,
  };
  return { order, events: [event] };
}

/**
 * Step 6: the customer (or the store's rejection) cancels an order until it is delivered or
 * sold. Cancelling again changes nothing.
 */
export function cancelOrder(order: Order, reason: string, now: Date): { order: Order; events: OrderEvent[] } | Refusal {
  if (order.status === "Cancelled") return { order, events: [] };
  if (order.status === "Delivered" || order.status === "Sold") {
    return { refused: `order ${order.id} is already ${order.status.toLowerCase()}; it can no longer be cancelled`, code: `ORDER_${order.status.toUpperCase()}` };
  }
  const cancelled: Order = { ...order, status: "Cancelled", orderCancelDate: now, cancelReason: reason };
  return {
    order: cancelled,
    events: [{ type: "OrderCancelled", orderId: order.id, flowerId: order.flowerId, qty: order.qty, reason }],
  };
}

/** How far each status is along the order's way; a report never moves an order back. */
const progress: Record<OrderStatus, number> = { Placed: 0, Wrapped: 1, DeliveryStarted: 2, Delivered: 3, Sold: 3, Cancelled: 4 };

/** The status further along of two: reports arrive out of order, and never move an order back. */
export function furtherStatus(current: OrderStatus, reported: OrderStatus): OrderStatus {
  return progress[reported] > progress[current] ? reported : current;
}

/** Steps 4 and 5: the store and the courier report progress; the order follows it. */
export function advanceOrder(order: Order, reported: "Wrapped" | "DeliveryStarted" | "Delivered" | "Sold"): Order | undefined {
  const status = furtherStatus(order.status, reported);
  return status === order.status ? undefined : { ...order, status };
}

/** Tells a refusal from a decision. */
export function isRefusal(result: object): result is Refusal {
  return "refused" in result;
}
