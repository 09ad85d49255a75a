import { on, policy, type Policy, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { CleaningCompleted, CleaningConfirmed, cleanerAnswers, KindRegistered, PaymethodDeleted } from "../events.js";
import { advanceReservation, confirmCancel, recordPayment, refuseCancel, requestCancel, type CleaningReservation, type ReservationEvent } from "./domain.js";

// Reactions of the reservation context to the paymethod's and the cleaner's events (inbound adapter).

/** The reservation context's policies. */
export function createReservationPolicies(reservations: Repository<CleaningReservation, ReservationEvent>): Policy[] {
  const advance = (reported: Parameters<typeof advanceReservation>[1]) => (event: ReceivedEvent, tx: Transaction) =>
    reservations.apply(tx, event.businessKey, (r) => r && advanceReservation(r, reported)).then(() => undefined);
  return [
    // One registered before attempts had references of their own names none: it paid under the request id.
    policy("markReservationPaidWhenKindRegistered", on(KindRegistered, async ({ message: m }, tx) => {
      await reservations.apply(tx, m.requestId, (r) => r && recordPayment(r, m.paymentReference || m.requestId));
    })),
    policy("advanceReservationWhenCleaningProgressed", on(CleaningConfirmed, advance("CleaningConfirmed")), on(CleaningCompleted, advance("CleaningCompleted"))),
    // Deleting the payment method withdraws the payment: the request is cancelled unless the cleaner finished (then nothing is asked).
    policy("requestCancelWhenPaymethodDeleted", on(PaymethodDeleted, async ({ message: m }, tx) => {
      await reservations.apply(tx, m.requestId, (r) => r && requestCancel(r, "payment method deleted", new Date()));
    })),
    // Step 4: the cleaner answered the customer's cancel request.
    policy("followCancelAnswer",
      on(cleanerAnswers.CancelConfirmed, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && confirmCancel(r, r.cancelReason || m.reason));
      }),
      on(cleanerAnswers.CancelRefused, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && refuseCancel(r, m.reason));
      })),
  ];
}
