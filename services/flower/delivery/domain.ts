// The courier's side of flower delivery: picking up wrapped orders, handing them over, and
// calling a delivery off when its order is cancelled. Pure.
import { cancelConfirmed, cancelRefused, decide, refuse, type CancelAnswer, type Decision, type Outcome } from "../../../mesh/kernel/index.js";

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
  | { type: "DeliveryCanceled"; deliveryId: string; orderId: string }
  | CancelAnswer;

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
 * Step 6: the customer asks to cancel a delivery order. The courier decides, against handing the
 * flowers over: a started delivery is called off; with none yet, a tombstone keeps a late
 * FlowerWrapped from starting one; a completed one is refused. Each answer is an event.
 */
export function cancelDelivery(
  existing: Delivery | undefined,
  request: { id: string; orderId: string; reason: string },
  now: Date,
): Decision<Delivery, DeliveryEvent> {
  const { orderId, reason } = request;
  if (!existing) return decide({ id: request.id, orderId, address: "", phoneNumber: "", status: "Canceled", canceledAt: now }, cancelConfirmed(orderId, reason));
  if (existing.status === "Completed") return decide(existing, cancelRefused(orderId, refuse("ALREADY_DELIVERED", "already delivered")));
  if (existing.status === "Canceled") return decide(existing, cancelConfirmed(orderId, reason));
  return decide<Delivery, DeliveryEvent>(
    { ...existing, status: "Canceled", canceledAt: now },
    { type: "DeliveryCanceled", deliveryId: existing.id, orderId }, cancelConfirmed(orderId, reason),
  );
}
