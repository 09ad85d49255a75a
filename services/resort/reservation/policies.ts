import { on, policy, type Policy, type Repository } from "../../../mesh/index.js";
import { CheckedIn, issueAnswers, IssuedTicket } from "../events.js";
import { confirmCancel, followVoucher, refuseCancel, type Reservation, type ReservationEvent } from "./domain.js";

// Reactions of the reservation context to the issue context's events (inbound adapter).

/** The reservation context's policies. */
export function createReservationPolicies(reservations: Repository<Reservation, ReservationEvent>): Policy[] {
  return [
    // Step 2: the voucher is issued, so the reservation is confirmed; later the guest checks in.
    policy("confirmReservationWhenTicketIssued",
      on(IssuedTicket, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.reservationId, (r) => r && followVoucher(r, "Confirmed", m.ticketNumber));
      }),
      on(CheckedIn, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.reservationId, (r) => r && followVoucher(r, "CheckedIn", m.ticketNumber));
      })),
    // Step 4: the voucher holder answered the customer's cancel request; only a confirmation cancels (and refunds).
    policy("followCancelAnswer",
      on(issueAnswers.CancelConfirmed, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && confirmCancel(r, r.cancelReason || m.reason, new Date()));
      }),
      on(issueAnswers.CancelRefused, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && refuseCancel(r, m.reason));
      })),
  ];
}
