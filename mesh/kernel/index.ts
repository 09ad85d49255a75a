// The shared kernel: the few pure types every domain uses (money, decisions, refusals, the
// cancel protocol's answers, payment attempts' references), one copy. Domain files import this
// and nothing else of the runtime; it imports nothing at all.

export { formatMoney, times } from "./money.js";
export type { Money } from "./money.js";
export { decide, isRefusal, refuse } from "./decision.js";
export type { Decision, Outcome, Refusal } from "./decision.js";
export { cancelConfirmed, cancelRefused } from "./cancellation.js";
export type { CancelAnswer, CancelConfirmed, CancelRefused } from "./cancellation.js";
export { idOfPaymentReference, paymentAttemptOf, paymentReferenceOf } from "./payment-attempts.js";
