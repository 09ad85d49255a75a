import { emitEvents, newId, type Transaction } from "../../mesh/index.js";
import { decideCancel, decidePay, type Cancel, type Decision, type Pay, type Payment, type PaymentRules } from "./domain.js";
import { paymentEvents } from "./events.js";
import { findByReference, insertPayment, updatePayment } from "./store.js";

// The one path every Pay and Cancel takes, from an RPC or from a policy: load, decide, store, emit.

/** Pays inside `tx`; returns the payment as it now stands (the first result when paid before). */
export async function payInTransaction(tx: Transaction, command: Pay, rules: PaymentRules): Promise<Payment> {
  const existing = await findByReference(tx.db, command.system, command.referenceId);
  return apply(tx, existing, decidePay(existing, command, rules, { newId, now: new Date() }));
}

/** Cancels inside `tx`; returns the payment as it now stands (a tombstone when it was never paid). */
export async function cancelInTransaction(tx: Transaction, command: Cancel): Promise<Payment> {
  const existing = await findByReference(tx.db, command.system, command.referenceId);
  return apply(tx, existing, decideCancel(existing, command, { newId, now: new Date() }));
}

async function apply(tx: Transaction, existing: Payment | undefined, decision: Decision): Promise<Payment> {
  if (decision.change === "created") await insertPayment(tx.db, decision.payment);
  if (decision.change === "updated" && existing) await updatePayment(tx.db, existing, decision.payment);
  // The saga runs on the order or reservation, so that is the correlation id, whoever asked.
  emitEvents(tx, paymentEvents(decision.payment.system), decision.events, { correlationId: decision.payment.referenceId });
  return decision.payment;
}
