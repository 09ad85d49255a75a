// The store owner's side of flower delivery: the catalogue, stock levels and incoming orders.
// Pure: decisions return the new state and the events to publish.

export interface Money {
  amount: bigint;
  currency: string;
}

export interface Flower {
  id: string;
  name: string;
  price: Money;
  stock: number;
}

export type StoreOrderStatus = "Accepted" | "Wrapped" | "Sold" | "Rejected" | "Cancelled";

export interface StoreOrder {
  orderId: string;
  flowerId: string;
  qty: number;
  isOffline: boolean;
  status: StoreOrderStatus;
  reason: string;
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
  | { type: "OrderRejected"; orderId: string; flowerId: string; qty: number; reason: string };

/** A command the store's rules refuse, with a reason for people and a stable code. */
export interface Refusal {
  refused: string;
  code: string;
}

export type WrapMode = "auto" | "manual";

export interface Decision {
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
export function receiveOrder(
  incoming: IncomingOrder,
  existing: StoreOrder | undefined,
  flower: Flower | undefined,
  mode: WrapMode,
): Decision {
  // Already handled, or cancelled before it arrived: nothing more to do.
  if (existing) return { events: [] };
  const base = { orderId: incoming.orderId, flowerId: incoming.flowerId, qty: incoming.qty, isOffline: incoming.isOffline };
  if (!flower || flower.stock < incoming.qty) {
    const reason = flower ? `out of stock: ${flower.stock} ${flower.name} left, ${incoming.qty} ordered` : `flower ${incoming.flowerId} is not sold here`;
    return {
      order: { ...base, status: "Rejected", reason },
      events: [{ type: "OrderRejected", orderId: incoming.orderId, flowerId: incoming.flowerId, qty: incoming.qty, reason }],
    };
  }
  const taken = { ...flower, stock: flower.stock - incoming.qty };
  const events: StoreEvent[] = [stockChanged(taken, incoming.orderId, "order accepted")];
  let status: StoreOrderStatus = "Accepted";
  if (incoming.isOffline) {
    status = "Sold";
    events.push({ type: "FlowerSold", orderId: incoming.orderId, flowerId: incoming.flowerId, qty: incoming.qty });
  } else if (mode === "auto") {
    status = "Wrapped";
    events.push({ type: "FlowerWrapped", orderId: incoming.orderId, flowerId: incoming.flowerId, qty: incoming.qty });
  }
  return { order: { ...base, status, reason: "" }, flower: taken, events };
}

/** The owner wraps an accepted delivery order by hand. */
export function wrapFlowers(order: StoreOrder): Decision | Refusal {
  if (order.isOffline) return { refused: `order ${order.orderId} is a pick-up order; nothing to wrap`, code: "PICK_UP_ORDER" };
  if (order.status !== "Accepted") {
    return { refused: `order ${order.orderId} is ${order.status.toLowerCase()}; only accepted orders can be wrapped`, code: `ORDER_${order.status.toUpperCase()}` };
  }
  return {
    order: { ...order, status: "Wrapped" },
    events: [{ type: "FlowerWrapped", orderId: order.orderId, flowerId: order.flowerId, qty: order.qty }],
  };
}

/**
 * The customer cancelled: flowers taken for the order go back into stock. A cancellation that
 * arrives before the order leaves a tombstone, so the late order is not taken.
 */
export function cancelOrder(
  cancelled: { orderId: string; flowerId: string; qty: number },
  existing: StoreOrder | undefined,
  flower: Flower | undefined,
): Decision {
  if (!existing) {
    return { order: { ...cancelled, isOffline: false, status: "Cancelled", reason: "cancelled before it reached the store" }, events: [] };
  }
  if (existing.status !== "Accepted" && existing.status !== "Wrapped") return { events: [] };
  const order: StoreOrder = { ...existing, status: "Cancelled", reason: "cancelled by the customer" };
  if (!flower) return { order, events: [] };
  const restored = { ...flower, stock: flower.stock + existing.qty };
  return { order, flower: restored, events: [stockChanged(restored, existing.orderId, "order cancelled")] };
}

/** The owner sets a flower's stock level. */
export function changeStock(flower: Flower, stock: number): Decision {
  const changed = { ...flower, stock };
  return { flower: changed, events: [stockChanged(changed, "", "stock set by the owner")] };
}

/** The owner adds a flower to the catalogue. */
export function addFlower(flower: Flower, existing: Flower | undefined): Decision | Refusal {
  if (existing) return { refused: `flower ${flower.id} already exists`, code: "FLOWER_EXISTS" };
  return { flower, events: [stockChanged(flower, "", "added to the catalogue")] };
}

/** Tells a refusal from a decision. */
export function isRefusal(result: Decision | Refusal): result is Refusal {
  return "refused" in result;
}
