import { eventsOf, money, table, text, timestamp } from "../../mesh/index.js";
import type { Payment, PaymentEvent, PaymentStatus } from "./domain.js";
import { paymentEvents } from "./events.js";

// Payments, one row per (system, reference_id).

const bind = eventsOf<PaymentEvent>();

export const payments = table<Payment, PaymentEvent>("payments", {
  id: text(36).key(), system: text(32), referenceId: text(64), amount: money().optional(), method: text(32), status: text<PaymentStatus>(16),
  reason: text(255), correlationId: text(255).index(), createdAt: timestamp(), updatedAt: timestamp(),
}, {
  resource: "payment",
  // A payment's events go out on payment.<its system>.<Event>, so each system consumes only its own.
  events: (event) => bind(paymentEvents(event.system)),
  unique: [["system", "referenceId"]],
});
