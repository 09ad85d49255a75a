import { eventsOf, table, text, timestamp } from "../../../mesh/index.js";
import { DeliveryCanceled, DeliveryCompleted, DeliveryStarted, deliveryAnswers } from "../events.js";
import type { Delivery, DeliveryEvent, DeliveryStatus } from "./domain.js";

/** The courier's deliveries, one per order (a canceled one may be a tombstone). */
export const deliveries = table<Delivery, DeliveryEvent>("deliveries", {
  id: text(64).key(), orderId: text(64).unique(), address: text(300), phoneNumber: text(32), status: text<DeliveryStatus>(16),
  startedAt: timestamp().optional().index(), completedAt: timestamp().optional(), canceledAt: timestamp().optional(),
}, { resource: "delivery", events: eventsOf<DeliveryEvent>()({ DeliveryStarted, DeliveryCompleted, DeliveryCanceled, ...deliveryAnswers }) });
