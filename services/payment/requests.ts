import { currentCorrelationId, fieldChecks, type FieldChecks } from "../../mesh/index.js";
import type { CancelRequest, ListPaymentsRequest, PayRequest } from "../../gen/payment/v1/payment_pb.js";
import type { Cancel, Pay } from "./domain.js";

// Request validation: every bad field is named (JSON names) in one INVALID_ARGUMENT.

const maxReferenceId = 64;
const maxMethod = 32;
const maxCancelReason = 200;
const maxAmount = BigInt(Number.MAX_SAFE_INTEGER); // what every database driver reads back exactly

function checkSystem(checks: FieldChecks, system: string, systems: readonly string[]): void {
  checks.required("system", system);
  checks.check(system === "" || systems.includes(system), "system", `must be one of ${systems.join(", ")}`);
}

/** The Pay command in `req`, or INVALID_ARGUMENT naming every bad field. */
export function payCommand(req: PayRequest, systems: readonly string[]): Pay {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checks.required("referenceId", req.referenceId).maxLength("referenceId", req.referenceId, maxReferenceId);
  const amount = req.amount;
  checks.check(amount !== undefined, "amount", "is required");
  if (amount) {
    checks.check(amount.amount > 0n && amount.amount <= maxAmount, "amount.amount",
      `must be a whole number from 1 to ${maxAmount} in the currency's smallest unit`);
    checks.check(/^[A-Z]{3}$/.test(amount.currency), "amount.currency", "must be a 3-letter ISO 4217 code in upper case, e.g. KRW");
  }
  checks.maxLength("method", req.method, maxMethod).throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId, amount: { amount: amount!.amount, currency: amount!.currency }, method: req.method, correlationId: currentCorrelationId() };
}

/** The Cancel command in `req`, or INVALID_ARGUMENT naming every bad field. */
export function cancelCommand(req: CancelRequest, systems: readonly string[]): Cancel {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checks.required("referenceId", req.referenceId).maxLength("referenceId", req.referenceId, maxReferenceId);
  checks.maxLength("reason", req.reason, maxCancelReason).throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId, reason: req.reason, correlationId: currentCorrelationId() };
}

/** The payment id asked for, or INVALID_ARGUMENT. */
export function paymentId(id: string): string {
  fieldChecks().required("id", id).maxLength("id", id, 64).throwIfInvalid();
  return id;
}

/** The ListPayments filter in `req`, or INVALID_ARGUMENT naming every bad field. */
export function listFilter(req: ListPaymentsRequest, systems: readonly string[]) {
  const checks = fieldChecks();
  checkSystem(checks, req.system, systems);
  checks.maxLength("referenceId", req.referenceId, maxReferenceId).maxLength("correlationId", req.correlationId, 255).throwIfInvalid();
  return { system: req.system, referenceId: req.referenceId || undefined, correlationId: req.correlationId || undefined };
}
