import { eventsOf, int, money, table, text, timestamp } from "../../../mesh/index.js";
import { KindChanged, KindRegistered, PaymethodAbandoned, PaymethodDeleted } from "../events.js";
import type { PayKindRegStatus, PaymentAttempts, Paymethod, PaymethodEvent } from "./domain.js";

/** The payment methods, one per request; the card number is not a column (only its last four digits). */
export const paymethods = table<Paymethod, PaymethodEvent>("paymethods", {
  id: text(64).key(), requestId: text(64).unique(), kind: text(32), last4: text(4), status: text<PayKindRegStatus>(24), amount: money(), paymentId: text(64),
  paymentReference: text(64).since("0001_paymethods_payment_reference", ""), createdAt: timestamp(), updatedAt: timestamp(),
}, {
  resource: "payment method",
  events: eventsOf<PaymethodEvent>()({ KindRegistered, KindChanged, PaymethodDeleted, PaymethodAbandoned }),
  indexes: [["createdAt", "id"]],
});

/** How many payment attempts each request started: the counter behind each attempt's own payment reference. */
export const paymentAttempts = table<PaymentAttempts>("payment_attempts", { requestId: text(64).key(), attempts: int(), updatedAt: timestamp() }, { resource: "payment attempt" });
