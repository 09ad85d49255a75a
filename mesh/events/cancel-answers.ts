import { CancelConfirmedSchema, CancelRefusedSchema } from "../../gen/common/v1/cancellation_pb.js";
import { defineEvent } from "./event-type.js";

/**
 * The answers `source` ("flower.delivery") publishes to cancel requests (mesh/kernel's
 * cancellation protocol), keyed by what was to be cancelled. Spread into the source's event set:
 * `eventsOf<DeliveryEvent>()({ DeliveryStarted, ...cancelAnswers("flower.delivery") })`.
 */
export function cancelAnswers(source: string) {
  return {
    CancelConfirmed: defineEvent(source, CancelConfirmedSchema, (e) => e.referenceId),
    CancelRefused: defineEvent(source, CancelRefusedSchema, (e) => e.referenceId),
  };
}
