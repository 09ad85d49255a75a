import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  OrderAbandonedSchema,
  OrderCanceledSchema,
  OrderedSchema,
  ProducedSchema,
  ProductCanceledSchema,
  ProductionRejectedSchema,
  ProductionStartedSchema,
  StockAddedSchema,
  StockReducedSchema,
  StockRestoredSchema,
} from "../../gen/coffee/v1/events_pb.js";

// The coffee system's domain events, by the context that publishes them (the seed's names, plus
// ProductionStarted, ProductionRejected, StockAdded and StockRestored, which it lacked). Every
// one is about an order, its business key, except a stock manager's receipt.

export const Ordered = defineEvent("coffee.order", OrderedSchema, (e) => e.orderId);
export const OrderCanceled = defineEvent("coffee.order", OrderCanceledSchema, (e) => e.orderId);
export const OrderAbandoned = defineEvent("coffee.order", OrderAbandonedSchema, (e) => e.orderId);

export const ProductionStarted = defineEvent("coffee.product", ProductionStartedSchema, (e) => e.orderId);
export const Produced = defineEvent("coffee.product", ProducedSchema, (e) => e.orderId);
export const ProductionRejected = defineEvent("coffee.product", ProductionRejectedSchema, (e) => e.orderId);
export const ProductCanceled = defineEvent("coffee.product", ProductCanceledSchema, (e) => e.orderId);
// The kitchen's refusals of a cancel (production already started), for the customer's view.
export const productAnswers = cancelAnswers("coffee.product");

export const StockReduced = defineEvent("coffee.stock", StockReducedSchema, (e) => e.orderId);
export const StockRestored = defineEvent("coffee.stock", StockRestoredSchema, (e) => e.orderId);
export const StockAdded = defineEvent("coffee.stock", StockAddedSchema, (e) => `stock-${e.productName}`);
