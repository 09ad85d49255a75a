import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  DeliveryCanceledSchema,
  DeliveryCompletedSchema,
  DeliveryStartedSchema,
  FlowerSoldSchema,
  FlowerWrappedSchema,
  OrderAbandonedSchema,
  OrderCancelledSchema,
  OrderCancelRequestedSchema,
  OrderPlacedSchema,
  OrderRejectedSchema,
  StockChangedSchema,
} from "../../gen/flower/v1/events_pb.js";

// The flower system's domain events, by the context that publishes them (the seed's names).
// Every one is about an order: its id is the business key the saga runs on.

export const OrderPlaced = defineEvent("flower.order", OrderPlacedSchema, (e) => e.orderId);
export const OrderCancelRequested = defineEvent("flower.order", OrderCancelRequestedSchema, (e) => e.orderId);
export const OrderCancelled = defineEvent("flower.order", OrderCancelledSchema, (e) => e.orderId);
export const OrderAbandoned = defineEvent("flower.order", OrderAbandonedSchema, (e) => e.orderId);

export const OrderRejected = defineEvent("flower.store", OrderRejectedSchema, (e) => e.orderId);
export const FlowerWrapped = defineEvent("flower.store", FlowerWrappedSchema, (e) => e.orderId);
export const FlowerSold = defineEvent("flower.store", FlowerSoldSchema, (e) => e.orderId);
// A catalogue change belongs to no order: its flower is its key.
export const StockChanged = defineEvent("flower.store", StockChangedSchema, (e) => e.orderId || `flower-${e.flowerId}`);

// The answers to OrderCancelRequested of the two parties that may hold the flowers.
export const storeAnswers = cancelAnswers("flower.store");
export const deliveryAnswers = cancelAnswers("flower.delivery");

export const DeliveryStarted = defineEvent("flower.delivery", DeliveryStartedSchema, (e) => e.orderId);
export const DeliveryCompleted = defineEvent("flower.delivery", DeliveryCompletedSchema, (e) => e.orderId);
export const DeliveryCanceled = defineEvent("flower.delivery", DeliveryCanceledSchema, (e) => e.orderId);
