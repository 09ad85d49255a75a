// The courier's side of flower delivery: picking up wrapped orders, handing them over, and
// calling a delivery off when its order is cancelled. Pure.
import { decide, refuse, type Decision, type Outcome } from "../../../mesh/kernel/index.js";

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

/**
 * Step 4: the courier picks up a wrapped order. An order cancelled before it was wrapped left a
 * tombstone, and one already picked up is not picked up twice.
 */
export function startDelivery(
  existing: Delivery | undefined,
  order: { id: string; orderId: string; address: string; phoneNumber: string },
  now: Date,
): Decision<Delivery, DeliveryEvent> {
  if (existing) return decide(existing);
  const delivery: Delivery = { ...order, status: "Started", startedAt: now };
  return decide(delivery, { type: "DeliveryStarted", deliveryId: delivery.id, orderId: delivery.orderId, address: delivery.address });
}

/** The courier hands the flowers over; completing twice changes nothing. */
export function completeDelivery(delivery: Delivery, now: Date): Outcome<Delivery, DeliveryEvent> {
  if (delivery.status === "Completed") return decide(delivery);
  if (delivery.status === "Canceled") return refuse("DELIVERY_CANCELED", `delivery ${delivery.id} was canceled: its order was cancelled`);
  return decide({ ...delivery, status: "Completed", completedAt: now }, { type: "DeliveryCompleted", deliveryId: delivery.id, orderId: delivery.orderId });
}

/**
 * Step 6: the order was cancelled. A started delivery is called off; with none yet, a tombstone
 * keeps a late FlowerWrapped from starting one. A completed delivery stays completed.
 */
export function cancelDelivery(existing: Delivery | undefined, tombstone: { id: string; orderId: string }, now: Date): Decision<Delivery, DeliveryEvent> {
  if (!existing) return decide({ ...tombstone, address: "", phoneNumber: "", status: "Canceled", canceledAt: now });
  if (existing.status !== "Started") return decide(existing);
  return decide({ ...existing, status: "Canceled", canceledAt: now }, { type: "DeliveryCanceled", deliveryId: existing.id, orderId: existing.orderId });
}
