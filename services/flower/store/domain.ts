// The store owner's side of flower delivery: the catalogue, stock levels and incoming orders.
// Pure: decisions return the new state and the events to publish.
import { cancelConfirmed, cancelRefused, decide, refuse, type CancelAnswer, type Decision, type Money, type Outcome } from "../../../mesh/kernel/index.js";

export interface Flower {
  id: string;
  name: string;
  price: Money;
  stock: number;
}

export type StoreOrderStatus = "Accepted" | "Wrapped" | "Sold" | "Rejected" | "Cancelled";
export const storeOrderStatuses: readonly StoreOrderStatus[] = ["Accepted", "Wrapped", "Sold", "Rejected", "Cancelled"];

export interface StoreOrder {
  orderId: string;
  flowerId: string;
  qty: number;
  isOffline: boolean;
  status: StoreOrderStatus;
  reason: string;
  receivedAt: Date;
  updatedAt: Date;
}

/** An order as it reaches the store (from OrderPlaced). */
export interface IncomingOrder {
  orderId: string;
  flowerId: string;
  qty: number;
  isOffline: boolean;
}

export type StoreEvent =
  | { type: "StockChanged"; flowerId: string; name: string; price: Money; stock: number; orderId: string; reason: string }
  | { type: "FlowerWrapped"; orderId: string; flowerId: string; qty: number }
  | { type: "FlowerSold"; orderId: string; flowerId: string; qty: number }
  | { type: "OrderRejected"; orderId: string; flowerId: string; qty: number; reason: string }
  | CancelAnswer;

export type WrapMode = "auto" | "manual";

/** A decision over both of the store's aggregates: an incoming order and the flower it takes. */
export interface StoreDecision {
  order?: StoreOrder;
  flower?: Flower;
  events: StoreEvent[];
}

/** The demo catalogue a fresh store starts with, with the seed's numeric ids. */
export const demoCatalogue: readonly Flower[] = [
  { id: "1", name: "Rose", price: { amount: 5000n, currency: "KRW" }, stock: 100 },
  { id: "2", name: "Tulip", price: { amount: 3000n, currency: "KRW" }, stock: 100 },
  { id: "3", name: "Lily", price: { amount: 4000n, currency: "KRW" }, stock: 100 },
];

const stockChanged = (flower: Flower, orderId: string, reason: string): StoreEvent => ({
  type: "StockChanged", flowerId: flower.id, name: flower.name, price: flower.price, stock: flower.stock, orderId, reason,
});

/**
 * A paid order reaches the store: the flowers come out of stock (the authoritative check), then
 * a pick-up order is sold at once and a delivery order is wrapped (or waits for the owner).
 */
export function receiveOrder(incoming: IncomingOrder, existing: StoreOrder | undefined, flower: Flower | undefined, mode: WrapMode, now: Date): StoreDecision {
  // Already handled, or cancelled before it arrived: nothing more to do.
  if (existing) return { events: [] };
  const { orderId, flowerId, qty, isOffline } = incoming;
  const base = { orderId, flowerId, qty, isOffline, receivedAt: now, updatedAt: now };
  if (!flower || flower.stock < qty) {
    const reason = flower ? `out of stock: ${flower.stock} ${flower.name} left, ${qty} ordered` : `flower ${flowerId} is not sold here`;
    return { order: { ...base, status: "Rejected", reason }, events: [{ type: "OrderRejected", orderId, flowerId, qty, reason }] };
  }
  const taken = { ...flower, stock: flower.stock - qty };
  const events: StoreEvent[] = [stockChanged(taken, orderId, "order accepted")];
  let status: StoreOrderStatus = "Accepted";
  if (isOffline) {
    status = "Sold";
    events.push({ type: "FlowerSold", orderId, flowerId, qty });
  } else if (mode === "auto") {
    status = "Wrapped";
    events.push({ type: "FlowerWrapped", orderId, flowerId, qty });
  }
  return { order: { ...base, status, reason: "" }, flower: taken, events };
}

/** The owner wraps an accepted delivery order by hand. */
export function wrapFlowers(order: StoreOrder, now: Date): Outcome<StoreOrder, StoreEvent> {
  if (order.isOffline) return refuse("PICK_UP_ORDER", `order ${order.orderId} is a pick-up order; nothing to wrap`);
  if (order.status !== "Accepted") {
    return refuse(`ORDER_${order.status.toUpperCase()}`, `order ${order.orderId} is ${order.status.toLowerCase()}; only accepted orders can be wrapped`);
  }
  const { orderId, flowerId, qty } = order;
  return decide({ ...order, status: "Wrapped", updatedAt: now }, { type: "FlowerWrapped", orderId, flowerId, qty });
}

/** A cancel request or confirmed cancellation, as it reaches the store. */
export interface CancelledOrder {
  orderId: string;
  flowerId: string;
  qty: number;
  reason: string;
}

/**
 * Takes an order back: flowers taken for it return to stock. One that has not arrived yet leaves
 * a tombstone, so the late order is not taken. Undefined when it cannot be taken back (sold).
 */
function takeBack(cancelled: CancelledOrder, existing: StoreOrder | undefined, flower: Flower | undefined, now: Date): StoreDecision | undefined {
  if (!existing) {
    return { order: { ...cancelled, isOffline: false, status: "Cancelled", reason: "cancelled before it reached the store", receivedAt: now, updatedAt: now }, events: [] };
  }
  if (existing.status === "Sold") return undefined;
  if (existing.status !== "Accepted" && existing.status !== "Wrapped") return { events: [] };
  const order: StoreOrder = { ...existing, status: "Cancelled", reason: cancelled.reason.slice(0, 300) || "cancelled by the customer", updatedAt: now };
  if (!flower) return { order, events: [] };
  const restored = { ...flower, stock: flower.stock + existing.qty };
  return { order, flower: restored, events: [stockChanged(restored, existing.orderId, "order cancelled")] };
}

/**
 * The customer asks to cancel a pick-up order: the store holds its flowers, so the store decides,
 * against its own hand-over. Sold: refused. Otherwise taken back and confirmed.
 */
export function decideCancel(request: CancelledOrder, existing: StoreOrder | undefined, flower: Flower | undefined, now: Date): StoreDecision {
  const taken = takeBack(request, existing, flower, now);
  if (!taken) return { events: [cancelRefused(request.orderId, refuse("ALREADY_SOLD", "already handed over in the store"))] };
  return { ...taken, events: [...taken.events, cancelConfirmed(request.orderId, request.reason)] };
}

/**
 * A cancellation was confirmed (by the courier, for a delivery order): flowers taken for the
 * order go back into stock; a tombstone keeps a late order from being taken.
 */
export function cancelOrder(cancelled: CancelledOrder, existing: StoreOrder | undefined, flower: Flower | undefined, now: Date): StoreDecision {
  return takeBack(cancelled, existing, flower, now) ?? { events: [] };
}

/** The owner sets a flower's stock level. */
export function changeStock(flower: Flower, stock: number): Decision<Flower, StoreEvent> {
  const changed = { ...flower, stock };
  return decide(changed, stockChanged(changed, "", "stock set by the owner"));
}

/** The owner adds a flower to the catalogue. */
export function addFlower(flower: Flower, existing: Flower | undefined): Outcome<Flower, StoreEvent> {
  if (existing) return refuse("FLOWER_EXISTS", `flower ${flower.id} already exists`);
  return decide(flower, stockChanged(flower, "", "added to the catalogue"));
}
