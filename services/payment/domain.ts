// The payment aggregate: pure decisions over plain data. No protobuf, SQL or NATS here.

/** An amount in the smallest unit of its currency (won, cents); never a float. */
export interface Money {
  amount: bigint;
  currency: string;
}

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
  /** null only for a tombstone. */
  amount: Money | null;
  method: string;
  status: PaymentStatus;
  /** Why it was declined or cancelled; empty when approved. */
  reason: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The command to pay for (system, referenceId). */
export interface Pay {
  system: string;
  referenceId: string;
  amount: Money;
  method: string;
}

/** The command to cancel (refund) the payment of (system, referenceId). */
export interface Cancel {
  system: string;
  referenceId: string;
  reason: string;
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

/** A fact a decision produced; fields are named as in the published event. */
export type PaymentEvent =
  | { type: "PaymentApproved"; paymentId: string; system: string; referenceId: string; amount: Money; method: string }
  | { type: "PaymentDeclined"; paymentId: string; system: string; referenceId: string; amount: Money; reason: string }
  | { type: "PaymentCancelled"; paymentId: string; system: string; referenceId: string; amount: Money; reason: string };

/** What a command decided: the payment as it now stands, whether it must be stored, and the events. */
export interface Decision {
  payment: Payment;
  /** "created": insert it; "updated": replace the stored one; "unchanged": nothing to store. */
  change: "created" | "updated" | "unchanged";
  events: PaymentEvent[];
}

/** What a decision may need from outside: an id for a new payment and the time. */
export interface DecisionContext {
  newId: () => string;
  now: Date;
}

/** True for a tombstone: a payment cancelled before any Pay for it arrived. */
export function isTombstone(payment: Payment): boolean {
  return payment.status === "cancelled" && payment.amount === null;
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
export function decidePay(existing: Payment | undefined, command: Pay, rules: PaymentRules, ctx: DecisionContext): Decision {
  if (existing && !isTombstone(existing)) return { payment: existing, change: "unchanged", events: [] };
  const reason = existing ? cancelledBeforePayment : declineReason(command, rules);
  const payment: Payment = {
    id: existing?.id ?? ctx.newId(),
    system: command.system,
    referenceId: command.referenceId,
    amount: command.amount,
    method: command.method,
    status: reason === undefined ? "approved" : "declined",
    reason: reason ?? "",
    createdAt: existing?.createdAt ?? ctx.now,
    updatedAt: ctx.now,
  };
  const ids = { paymentId: payment.id, system: payment.system, referenceId: payment.referenceId, amount: command.amount };
  const event: PaymentEvent = reason === undefined
    ? { type: "PaymentApproved", ...ids, method: command.method }
    : { type: "PaymentDeclined", ...ids, reason };
  return { payment, change: existing ? "updated" : "created", events: [event] };
}

/**
 * Decides a Cancel: an approved payment is refunded; a cancelled or declined one stays as it
 * is; an unknown one becomes a tombstone so that a late Pay for it is declined.
 */
export function decideCancel(existing: Payment | undefined, command: Cancel, ctx: DecisionContext): Decision {
  const reason = command.reason || "cancelled";
  if (!existing) {
    const tombstone: Payment = {
      id: ctx.newId(), system: command.system, referenceId: command.referenceId, amount: null, method: "",
      status: "cancelled", reason, createdAt: ctx.now, updatedAt: ctx.now,
    };
    // Nothing was paid, so nothing was refunded: no event.
    return { payment: tombstone, change: "created", events: [] };
  }
  if (existing.status !== "approved" || existing.amount === null) return { payment: existing, change: "unchanged", events: [] };
  const payment: Payment = { ...existing, status: "cancelled", reason, updatedAt: ctx.now };
  return {
    payment,
    change: "updated",
    events: [{ type: "PaymentCancelled", paymentId: payment.id, system: payment.system, referenceId: payment.referenceId, amount: existing.amount, reason }],
  };
}
