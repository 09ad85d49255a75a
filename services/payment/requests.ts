import { fieldChecks } from "../../mesh/index.js";
import type { CancelRequest, ListPaymentsRequest, PayRequest } from "../../gen/payment/v1/payment_pb.js";
import type { Cancel, Pay } from "./domain.js";

// Request validation: every bad field is named (JSON names) in one INVALID_ARGUMENT.

const maxReferenceId = 64;
const maxMethod = 32;
const maxReason = 200;
const maxAmount = BigInt(Number.MAX_SAFE_INTEGER); // what every database driver reads back exactly

type Checks = ReturnType<typeof fieldChecks>;

function checkSystem(checks: Checks, system: string, systems: readonly string[]): void {
  checks.check(system !== "", "system", "is required");
  checks.check(system === "" || systems.includes(system), "system", `must be one of ${systems.join(", ")}`);
}

function checkReferenceId(checks: Checks, referenceId: string, required: boolean): void {
  checks.check(!required || referenceId !== "", "referenceId", "is required");
  checks.check(referenceId.length <= maxReferenceId, "referenceId", `must be at most ${maxReferenceId} characters`);
}

/** The Pay command in `req`, or INVALID_ARGUMENT naming every bad field. */
export function payCommand(req: PayRequest, systems: readonly string[]): Pay {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checkReferenceId(checks, req.referenceId, true);
  const amount = req.amount;
  checks.check(amount !== undefined, "amount", "is required");
  if (amount) {
    checks.check(amount.amount > 0n && amount.amount <= maxAmount, "amount.amount",
      `must be a whole number from 1 to ${maxAmount} in the currency's smallest unit`);
    checks.check(/^[A-Z]{3}$/.test(amount.currency), "amount.currency", "must be a 3-letter ISO 4217 code in upper case, e.g. KRW");
  }
  checks.check(req.method.length <= maxMethod, "method", `must be at most ${maxMethod} characters`);
  checks.throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId, amount: { amount: amount!.amount, currency: amount!.currency }, method: req.method };
}

/** The Cancel command in `req`, or INVALID_ARGUMENT naming every bad field. */
export function cancelCommand(req: CancelRequest, systems: readonly string[]): Cancel {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checkReferenceId(checks, req.referenceId, true);
  checks.check(req.reason.length <= maxReason, "reason", `must be at most ${maxReason} characters`);
  checks.throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId, reason: req.reason };
}

/** The payment id asked for, or INVALID_ARGUMENT. */
export function paymentId(id: string): string {
  fieldChecks().check(id !== "", "id", "is required").check(id.length <= 64, "id", "must be at most 64 characters").throwIfInvalid();
  return id;
}

/** The ListPayments filter in `req`, or INVALID_ARGUMENT naming every bad field. */
export function listFilter(req: ListPaymentsRequest, systems: readonly string[]): { system: string; referenceId?: string } {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checkReferenceId(checks, req.referenceId, false);
  checks.throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId || undefined };
}
