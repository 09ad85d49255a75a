import { defineEvent } from "../../mesh/index.js";
import {
  DeliveryCanceledSchema,
  DeliveryCompletedSchema,
  DeliveryStartedSchema,
  FlowerSoldSchema,
  FlowerWrappedSchema,
  OrderCancelledSchema,
  OrderPlacedSchema,
  OrderRejectedSchema,
  StockChangedSchema,
} from "../../gen/flower/v1/events_pb.js";

// The flower system's domain events, by the context that publishes them (the seed's names).

export const OrderPlaced = defineEvent("flower.order", OrderPlacedSchema);
export const OrderCancelled = defineEvent("flower.order", OrderCancelledSchema);

export const OrderRejected = defineEvent("flower.store", OrderRejectedSchema);
export const FlowerWrapped = defineEvent("flower.store", FlowerWrappedSchema);
export const FlowerSold = defineEvent("flower.store", FlowerSoldSchema);
export const StockChanged = defineEvent("flower.store", StockChangedSchema);

export const DeliveryStarted = defineEvent("flower.delivery", DeliveryStartedSchema);
export const DeliveryCompleted = defineEvent("flower.delivery", DeliveryCompletedSchema);
export const DeliveryCanceled = defineEvent("flower.delivery", DeliveryCanceledSchema);
