import { defineEvent } from "../../mesh/index.js";
import { PaymentApprovedSchema, PaymentCancelledSchema, PaymentDeclinedSchema } from "../../gen/payment/v1/events_pb.js";

const bySystem = new Map<string, ReturnType<typeof define>>();

const define = (system: string) => ({
  PaymentApproved: defineEvent(`payment.${system}`, PaymentApprovedSchema, (e) => e.referenceId),
  PaymentDeclined: defineEvent(`payment.${system}`, PaymentDeclinedSchema, (e) => e.referenceId),
  PaymentCancelled: defineEvent(`payment.${system}`, PaymentCancelledSchema, (e) => e.referenceId),
});

/**
 * Payment's events for one system, on `payment.<system>.<Event>` so each system consumes only its
 * own; the order or reservation paid for is their business key.
 */
export function paymentEvents(system: string) {
  let events = bySystem.get(system);
  if (!events) bySystem.set(system, (events = define(system)));
  return events;
}
