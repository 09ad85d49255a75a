// The courier's side of flower delivery: picking up wrapped orders, handing them over, and
// calling a delivery off when its order is cancelled. Pure.

export type DeliveryStatus = "Started" | "Completed" | "Canceled";

export interface Delivery {
  id: string;
  orderId: string;
  address: string;
  phoneNumber: string;
  status: DeliveryStatus;
  startedAt?: Date;
  completedAt?: Date;
  canceledAt?: Date;
}

export type DeliveryEvent =
  | { type: "DeliveryStarted"; deliveryId: string; orderId: string; address: string }
  | { type: "DeliveryCompleted"; deliveryId: string; orderId: string }
  | { type: "DeliveryCanceled"; deliveryId: string; orderId: string };

/** A command the courier's rules refuse, with a reason for people and a stable code. */
export interface Refusal {
  refused: string;
  code: string;
}

export interface Decision {
  delivery?: Delivery;
  events: DeliveryEvent[];
}

/**
 * Step 4: the courier picks up a wrapped order. An order cancelled before it was wrapped left a
 * tombstone, and one already picked up is not picked up twice.
 */
export function startDelivery(
  existing: Delivery | undefined,
  order: { id: string; orderId: string; address: string; phoneNumber: string },
  now: Date,
): Decision {
  if (existing) return { events: [] };
  const delivery: Delivery = { ...order, status: "Started", startedAt: now };
  return { delivery, events: [{ type: "DeliveryStarted", deliveryId: delivery.id, orderId: delivery.orderId, address: delivery.address }] };
}

/** The courier hands the flowers over; completing twice changes nothing. */
export function completeDelivery(delivery: Delivery, now: Date): Decision | Refusal {
  if (delivery.status === "Completed") return { events: [] };
  if (delivery.status === "Canceled") return { refused: `delivery ${delivery.id} was canceled: its order was cancelled`, code: "DELIVERY_CANCELED" };
  return {
    delivery: { ...delivery, status: "Completed", completedAt: now },
    events: [{ type: "DeliveryCompleted", deliveryId: delivery.id, orderId: delivery.orderId }],
  };
}

/**
 * Step 6: the order was cancelled. A started delivery is called off; with none yet, a tombstone
 * keeps a late FlowerWrapped from starting one. A completed delivery stays completed.
 */
export function cancelDelivery(existing: Delivery | undefined, tombstone: { id: string; orderId: string }, now: Date): Decision {
  if (!existing) {
    return { delivery: { ...tombstone, address: "", phoneNumber: "", status: "Canceled", canceledAt: now }, events: [] };
  }
  if (existing.status !== "Started") return { events: [] };
  return {
    delivery: { ...existing, status: "Canceled", canceledAt: now },
    events: [{ type: "DeliveryCanceled", deliveryId: existing.id, orderId: existing.orderId }],
  };
}

/** Tells a refusal from a decision. */
export function isRefusal(result: Decision | Refusal): result is Refusal {
  return "refused" in result;
}
