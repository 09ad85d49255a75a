import { eventsOf, int, table, text, timestamp } from "../../../mesh/index.js";
import { ProductCanceled, Produced, productAnswers, ProductionRejected, ProductionStarted } from "../events.js";
import type { Production, ProductEvent, ProductionStatus } from "./domain.js";

// The kitchen's table: one production per order (the order is the key: a second Ordered, or a
// cancel before the order arrived, finds the same row).

export const productions = table<Production, ProductEvent>("productions", {
  orderId: text(64).key(), id: text(64).unique(), productName: text(64), qty: int(), status: text<ProductionStatus>(16).index(), reason: text(300),
  requestedAt: timestamp().index(), updatedAt: timestamp(),
}, { resource: "production", events: eventsOf<ProductEvent>()({ ProductionStarted, Produced, ProductionRejected, ProductCanceled, ...productAnswers }) });
