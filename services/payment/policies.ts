import type { Policy } from "../../mesh/index.js";
import { cancelInTransaction } from "./commands.js";
import type { Compensation } from "./compensations.js";

/**
 * One policy per compensation (`cancelPaymentWhenOrderCancelled`): cancels the payment through
 * the same path as the Cancel RPC, so a redelivered event, or one for a payment already
 * cancelled, changes nothing, and one for a payment never made leaves a tombstone.
 */
export function cancelPaymentPolicies(compensations: readonly Compensation[]): Policy[] {
  return compensations.map((c) => ({
    name: policyName(c, compensations),
    on: [c.event],
    async handle(event, tx) {
      await cancelInTransaction(tx, { system: c.system, referenceId: c.referenceId(event.message), reason: c.reason(event.message) });
    },
  }));
}

// The name is the durable consumer's, so it must stay stable: a system is added to it only
// where two systems' events share a name (resort's and rental's ReservationCancelled).
function policyName(c: Compensation, all: readonly Compensation[]): string {
  const name = `cancelPaymentWhen${c.event.name}`;
  const shared = all.filter((other) => other.event.name === c.event.name).length > 1;
  return shared ? `${name}In${c.system[0].toUpperCase()}${c.system.slice(1)}` : name;
}
