import { newId, on, policy, type Policy, type Repository } from "../../mesh/index.js";
import { decideCancel, type Payment, type PaymentEvent } from "./domain.js";
import type { PaymentRegistration } from "./plug-in.js";

/**
 * One policy per refund a system registered (`cancelPaymentWhenOrderCancelled`): cancels the
 * payment of the event's business key through the same decision as the Cancel RPC, so a
 * redelivered event, or one for a payment already cancelled, changes nothing, and one for a
 * payment never made leaves a tombstone.
 */
export function cancelPaymentPolicies(systems: readonly PaymentRegistration[], payments: Repository<Payment, PaymentEvent>): Policy[] {
  const refunds = systems.flatMap((s) => (s.refunds ?? []).map((refund) => ({ system: s.name, ...refund })));
  return refunds.map(({ system, event, reason }) => policy(policyName(system, event.name, refunds), on(event, async (e, tx) => {
    const cancel = { system, referenceId: e.businessKey, reason: reason(e.message), correlationId: e.correlationId };
    await payments.apply(tx, { system, referenceId: cancel.referenceId }, (existing) => decideCancel(existing, cancel, { newId, now: new Date() }));
  })));
}

// The name is the durable consumer's, so it must stay stable: a system is added to it only
// where two systems' events share a name (resort's and rental's ReservationCancelled).
function policyName(system: string, event: string, all: ReadonlyArray<{ event: { name: string } }>): string {
  const name = `cancelPaymentWhen${event}`;
  const shared = all.filter((other) => other.event.name === event).length > 1;
  return shared ? `${name}In${system[0].toUpperCase()}${system.slice(1)}` : name;
}
