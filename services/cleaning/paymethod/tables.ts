import { eventsOf, money, table, text, timestamp } from "../../../mesh/index.js";
import { KindChanged, KindRegistered, PaymethodAbandoned, PaymethodDeleted } from "../events.js";
import type { PayKindRegStatus, Paymethod, PaymethodEvent } from "./domain.js";

/** The payment methods, one per request; the card number is not a column (only its last four digits). */
export const paymethods = table<Paymethod, PaymethodEvent>("paymethods", {
  id: text(64).key(), requestId: text(64).unique(), kind: text(32), last4: text(4), status: text<PayKindRegStatus>(24), amount: money(), paymentId: text(64),
  createdAt: timestamp(), updatedAt: timestamp(),
}, {
  resource: "payment method",
  events: eventsOf<PaymethodEvent>()({ KindRegistered, KindChanged, PaymethodDeleted, PaymethodAbandoned }),
  indexes: [["createdAt", "id"]],
});
