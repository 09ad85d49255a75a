// The customer's payment methods: one per cleaning request, registered only once its payment went
// through. The card number is a secret: only its last four digits are kept, shown masked. Pure.
import { decide, refuse, type Decision, type Money, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export type PayKindRegStatus = "PaymentKindRegistered" | "PaymentKindChanged" | "PaymentKindDeleted";

export interface Paymethod {
  id: string;
  requestId: string;
  kind: string;
  /** The card number's last four digits: all that is kept of it. */
  last4: string;
  status: PayKindRegStatus;
  amount: Money;
  paymentId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What paymethod knows of the request it pays for (from the reservation context, synchronously). */
export interface RequestToPay {
  id: string;
  place: string;
  requestDate: string;
  price: Money;
  /** ReservationApply until paid; ReservationCanceled, or a cancel pending, cannot be paid. */
  status: string;
  cancelPending: boolean;
}

export type KindRegistered = {
  type: "KindRegistered"; paymethodId: string; requestId: string; kind: string; number: string; amount: Money; paymentId: string; place: string; requestDate: string;
};
export type KindChanged = { type: "KindChanged"; paymethodId: string; requestId: string; kind: string; previousKind: string };
export type PaymethodDeleted = { type: "PaymethodDeleted"; paymethodId: string; requestId: string; kind: string; number: string };
/** A registration never kept: whatever its payment took is refunded. */
export type PaymethodAbandoned = { type: "PaymethodAbandoned"; requestId: string; reason: string };
export type PaymethodEvent = KindRegistered | KindChanged | PaymethodDeleted | PaymethodAbandoned;

/** The digits of a card number written with spaces or dashes, or undefined when it is not one (8 to 19 digits). */
export function cardDigits(number: string): string | undefined {
  const digits = number.replace(/[\s-]/g, "");
  return /^\d{8,19}$/.test(digits) ? digits : undefined;
}

/** How a card number is shown everywhere after registration: "****5003". */
export const masked = (last4: string): string => `****${last4}`;

/** A request has one payment method: one registered (or deleted) before refuses another. */
function alreadyHas(requestId: string, existing: Paymethod): Refusal {
  return refuse("PAYMETHOD_EXISTS", `cleaning request ${requestId} already has a payment method (${existing.id}, ${existing.status}); change its kind instead`);
}

/**
 * Step 2's precondition: only a request applied for, neither cancelled nor being cancelled, and
 * without a payment method yet, can be paid.
 */
export function checkPayable(request: RequestToPay, existing: Paymethod | undefined): Refusal | undefined {
  if (existing) return alreadyHas(request.id, existing);
  if (request.status === "ReservationCanceled" || request.cancelPending) return refuse("REQUEST_CANCELED", `cleaning request ${request.id} is cancelled; apply for a new one`);
  if (request.status !== "ReservationApply") return refuse("REQUEST_PAID", `cleaning request ${request.id} is already paid`);
  return undefined;
}

/**
 * Step 2: once paid, the payment method is registered (KindRegistered); one registered meanwhile
 * is a refusal, decided in the same transaction.
 */
export function registerPaymethod(
  id: string, command: { kind: string; digits: string }, request: RequestToPay, paymentId: string, existing: Paymethod | undefined, now: Date,
): Outcome<Paymethod, PaymethodEvent> {
  if (existing) return alreadyHas(request.id, existing);
  const last4 = command.digits.slice(-4);
  const paymethod: Paymethod = {
    id, requestId: request.id, kind: command.kind, last4, status: "PaymentKindRegistered", amount: request.price, paymentId, createdAt: now, updatedAt: now,
  };
  const { place, requestDate } = request;
  return decide(paymethod, {
    type: "KindRegistered", paymethodId: id, requestId: request.id, kind: command.kind, number: masked(last4), amount: request.price, paymentId, place, requestDate,
  });
}

/** Step 2's other outcome: nothing registered, and whatever the payment took is refunded. */
export const abandonPaymethod = (requestId: string, reason: string): PaymethodAbandoned => ({ type: "PaymethodAbandoned", requestId, reason });

/** The customer changes the kind (KindChanged); nothing is paid again. Same kind: nothing changes. */
export function changeKind(p: Paymethod, kind: string, now: Date): Outcome<Paymethod, PaymethodEvent> {
  if (p.status === "PaymentKindDeleted") return refuse("PAYMETHOD_DELETED", `payment method ${p.id} was deleted`);
  if (p.kind === kind) return decide(p);
  return decide({ ...p, kind, status: "PaymentKindChanged", updatedAt: now }, { type: "KindChanged", paymethodId: p.id, requestId: p.requestId, kind, previousKind: p.kind });
}

/**
 * The customer deletes the payment method (PaymethodDeleted): no call to payment, so it works while
 * payment is down; the request is cancelled through events, refunded unless already cleaned.
 */
export function deletePaymethod(p: Paymethod, now: Date): Decision<Paymethod, PaymethodEvent> {
  if (p.status === "PaymentKindDeleted") return decide(p);
  return decide(
    { ...p, status: "PaymentKindDeleted", updatedAt: now },
    { type: "PaymethodDeleted", paymethodId: p.id, requestId: p.requestId, kind: p.kind, number: masked(p.last4) },
  );
}
