// The customer's payment methods: one per cleaning request, registered only once its payment went
// through. The card number is a secret: only its last four digits are kept, shown masked. Each
// payment attempt of a request pays under its own reference, so one that was undone (its answer
// lost, refunded) does not decline the next. Pure.
import { decide, idOfPaymentReference, paymentReferenceOf, refuse, type Decision, type Money, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

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
  /** The reference the paying attempt paid under: the request id, or "<requestId>.<n>" for a retry. */
  paymentReference: string;
  createdAt: Date;
  updatedAt: Date;
}

/** How many payment attempts a request has started: the next pays under paymentReferenceOf(requestId, attempts + 1). */
export interface PaymentAttempts {
  requestId: string;
  attempts: number;
  updatedAt: Date;
}

/** A payment that went through: payment's id and the reference it was made under. */
export interface Payment {
  id: string;
  reference: string;
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
  type: "KindRegistered"; paymethodId: string; requestId: string; kind: string; number: string; amount: Money; paymentId: string; paymentReference: string; place: string; requestDate: string;
};
export type KindChanged = { type: "KindChanged"; paymethodId: string; requestId: string; kind: string; previousKind: string };
export type PaymethodDeleted = { type: "PaymethodDeleted"; paymethodId: string; requestId: string; kind: string; number: string };
/** A registration never kept: whatever its payment attempt took is refunded (that attempt's reference alone). */
export type PaymethodAbandoned = { type: "PaymethodAbandoned"; requestId: string; paymentReference: string; reason: string };
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
 * Step 2 begins: a payable request starts a payment attempt, counted so that it pays under a
 * reference of its own (`attemptReference`). Attempts run one after another or side by side
 * alike: whichever registers first wins, the others are voided.
 */
export function startPaymentAttempt(request: RequestToPay, existing: Paymethod | undefined, attempts: PaymentAttempts | undefined, now: Date): Outcome<PaymentAttempts, never> {
  const refusal = checkPayable(request, existing);
  if (refusal) return refusal;
  return decide({ requestId: request.id, attempts: (attempts?.attempts ?? 0) + 1, updatedAt: now });
}

/** The payment reference of the latest attempt started. */
export const attemptReference = (attempts: PaymentAttempts): string => paymentReferenceOf(attempts.requestId, attempts.attempts);

/**
 * An attempt whose call never left this process (payment down, breaker open): payment never saw
 * its reference, so the next attempt may take it again, unless a later one started meanwhile.
 */
export function releasePaymentAttempt(attempts: PaymentAttempts, reference: string, now: Date): Decision<PaymentAttempts, never> {
  return decide(attemptReference(attempts) === reference ? { ...attempts, attempts: attempts.attempts - 1, updatedAt: now } : attempts);
}

/**
 * Step 2: once paid, the payment method is registered (KindRegistered); one registered meanwhile
 * is a refusal, decided in the same transaction (its payment is then voided by the caller).
 */
export function registerPaymethod(
  id: string, command: { kind: string; digits: string }, request: RequestToPay, payment: Payment, existing: Paymethod | undefined, now: Date,
): Outcome<Paymethod, PaymethodEvent> {
  if (existing) return alreadyHas(request.id, existing);
  const last4 = command.digits.slice(-4);
  const paymethod: Paymethod = {
    id, requestId: request.id, kind: command.kind, last4, status: "PaymentKindRegistered", amount: request.price,
    paymentId: payment.id, paymentReference: payment.reference, createdAt: now, updatedAt: now,
  };
  const { place, requestDate } = request;
  return decide(paymethod, {
    type: "KindRegistered", paymethodId: id, requestId: request.id, kind: command.kind, number: masked(last4), amount: request.price,
    paymentId: payment.id, paymentReference: payment.reference, place, requestDate,
  });
}

/** Step 2's other outcome: nothing registered, and whatever the attempt under `paymentReference` took is refunded. */
export const abandonPaymethod = (paymentReference: string, reason: string): PaymethodAbandoned =>
  ({ type: "PaymethodAbandoned", requestId: idOfPaymentReference(paymentReference), paymentReference, reason });

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
