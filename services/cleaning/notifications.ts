import { formatMoney } from "../../mesh/kernel/index.js";
import { tell } from "../notification/plug-in.js";
import {
  CleaningCompleted, CleaningConfirmed, CleaningRequestCanceled, CleaningRequested, cleanerAnswers, KindChanged, KindRegistered, PaymethodDeleted,
} from "./events.js";

// What a cleaning customer is told on every status change of their request (systems.md, cleaning
// step 5): the seed's message service. Card numbers appear only masked, as the events carry them.
// Notification keys a customer by an event's business key, and payment's events are keyed by the
// payment attempt's reference ("<requestId>.2" for a retry), which names no customer: the payment's
// news is told with this system's own events, keyed by the request (KindRegistered is the
// payment completed and kept; a cancellation's refund follows CleaningRequestCanceled).

const because = (reason: string) => (reason ? ` (${reason})` : "");

/** CleaningRequested carries the customer every later message of the request goes to. */
export const cleaningMessages = [
  tell(CleaningRequested, (e) => `Your cleaning at ${e.place} on ${e.requestDate} is requested${e.price ? ` (${formatMoney(e.price)})` : ""}; register a payment method to confirm it.`, (e) => e.customerId),
  tell(KindRegistered, (e) => `Payment completed${e.amount ? `: ${formatMoney(e.amount)}` : ""}. Your ${e.kind} payment method ${e.number} is registered.`),
  tell(KindChanged, (e) => `Your payment method is now ${e.kind} (was ${e.previousKind}).`),
  tell(PaymethodDeleted, (e) => `Your ${e.kind} payment method ${e.number} was deleted.`),
  tell(CleaningConfirmed, (e) => `Your cleaning at ${e.place} on ${e.requestDate} is confirmed.`),
  tell(CleaningCompleted, () => "Your cleaning is completed. Thank you!"),
  tell(CleaningRequestCanceled, (e) => `Your cleaning request is cancelled${because(e.reason)}; any payment for it is refunded.`),
  tell(cleanerAnswers.CancelRefused, (e) => `Your cleaning could not be cancelled (cancel refused: ${e.reason}).`),
];
