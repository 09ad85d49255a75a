import { defineEvent } from "../../mesh/index.js";
import { PaymentApprovedSchema, PaymentCancelledSchema, PaymentDeclinedSchema } from "../../gen/payment/v1/events_pb.js";

/** Payment's events for one system, on `payment.<system>.<Event>` so each system consumes only its own. */
export function paymentEvents(system: string) {
  return {
    PaymentApproved: defineEvent(`payment.${system}`, PaymentApprovedSchema),
    PaymentDeclined: defineEvent(`payment.${system}`, PaymentDeclinedSchema),
    PaymentCancelled: defineEvent(`payment.${system}`, PaymentCancelledSchema),
  };
}
