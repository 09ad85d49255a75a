// The payment aggregate: pure decisions over plain data. No protobuf, SQL or NATS here.
import { decide, type Decision, type Money } from "../../mesh/kernel/index.js";

/** Where a payment stands. */
export type PaymentStatus = "approved" | "declined" | "cancelled";

/**
 * A payment for one order or reservation of one system, identified by (system, referenceId).
 * A cancelled payment without an amount is a tombstone: cancelled before it was ever paid.
 */
export interface Payment {
  id: string;
  system: string;
  referenceId: string;
  /** Missing only on a tombstone. */
  amount?: Money;
  method: string;
  status: PaymentStatus;
  /** Why it was declined or cancelled; empty when approved. */
  reason: string;
  /** The command that paid it (or, for a tombstone, cancelled it): what its caller follows it by. */
  correlationId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The command to pay for (system, referenceId). */
export interface Pay {
  system: string;
  referenceId: string;
  amount: Money;
  method: string;
  correlationId: string;
}

/** The command to cancel (refund) the payment of (system, referenceId). */
export interface Cancel {
  system: string;
  referenceId: string;
  reason: string;
  correlationId: string;
}

/** The rules a payment is approved by; configured per deployment. */
export interface PaymentRules {
  /** Amounts above this are declined; 0n means no limit. */
  declineOver: bigint;
}

/** The documented test method that is always declined, so that a decline can be provoked on purpose. */
export const decliningTestMethod = "decline";

/** The reason a Pay arriving after its Cancel is declined with. */
export const cancelledBeforePayment = "cancelled before payment";

/** Reasons are kept to this many characters (a cancelled order's may be longer). */
export const maxReason = 255;

/** A fact a decision produced; fields are named as in the published event. */
export type PaymentEvent =
  | { type: "PaymentApproved"; paymentId: string; system: string; referenceId: string; amount: Money; method: string }
  | { type: "PaymentDeclined"; paymentId: string; system: string; referenceId: string; amount: Money; reason: string }
  | { type: "PaymentCancelled"; paymentId: string; system: string; referenceId: string; amount: Money; reason: string };

/** What a decision may need from outside: an id for a new payment and the time. */
export interface DecisionContext {
  newId: () => string;
  now: Date;
}

/** True for a tombstone: a payment cancelled before any Pay for it arrived. */
export function isTombstone(payment: Payment): boolean {
  return payment.status === "cancelled" && payment.amount === undefined;
}

/** Why `command` is declined under `rules`, or undefined when it is approved. */
export function declineReason(command: Pay, rules: PaymentRules): string | undefined {
  if (command.method === decliningTestMethod) return `the test method "${decliningTestMethod}" is always declined`;
  if (rules.declineOver > 0n && command.amount.amount > rules.declineOver) {
    return `amount ${command.amount.amount} exceeds the limit of ${rules.declineOver}`;
  }
  return undefined;
}

/**
 * Decides a Pay. Idempotent on (system, referenceId): an existing payment is returned as it is,
 * whatever its status; only a tombstone turns into a declined payment, so a Pay that arrives
 * after its own Cancel never takes money.
 */
export function decidePay(existing: Payment | undefined, command: Pay, rules: PaymentRules, ctx: DecisionContext): Decision<Payment, PaymentEvent> {
  if (existing && !isTombstone(existing)) return decide(existing);
  const reason = existing ? cancelledBeforePayment : declineReason(command, rules);
  const { system, referenceId, amount, method } = command;
  const payment: Payment = {
    id: existing?.id ?? ctx.newId(), system, referenceId, amount, method,
    status: reason === undefined ? "approved" : "declined", reason: reason ?? "", correlationId: existing?.correlationId ?? command.correlationId,
    createdAt: existing?.createdAt ?? ctx.now, updatedAt: ctx.now,
  };
  const ids = { paymentId: payment.id, system, referenceId, amount };
  return decide(payment, reason === undefined ? { type: "PaymentApproved", ...ids, method } : { type: "PaymentDeclined", ...ids, reason });
}

/**
 * Decides a Cancel: an approved payment is refunded; a cancelled or declined one stays as it
 * is; an unknown one becomes a tombstone so that a late Pay for it is declined.
 */
export function decideCancel(existing: Payment | undefined, command: Cancel, ctx: DecisionContext): Decision<Payment, PaymentEvent> {
  const reason = (command.reason || "cancelled").slice(0, maxReason);
  if (!existing) {
    // Nothing was paid, so nothing was refunded: no event.
    const { system, referenceId, correlationId } = command;
    return decide({ id: ctx.newId(), system, referenceId, method: "", status: "cancelled", reason, correlationId, createdAt: ctx.now, updatedAt: ctx.now });
  }
  if (existing.status !== "approved" || existing.amount === undefined) return decide(existing);
  const payment: Payment = { ...existing, status: "cancelled", reason, updatedAt: ctx.now };
  const { id: paymentId, system, referenceId } = payment;
  return decide(payment, { type: "PaymentCancelled", paymentId, system, referenceId, amount: existing.amount, reason });
}
