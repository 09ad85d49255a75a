import { newId, on, policy, type Policy, type Repository } from "../../../mesh/index.js";
import { ReservationCancelRequested, Reserved } from "../events.js";
import { decideCancel, issueTicket, type Issue, type IssueEvent } from "./domain.js";

// Reactions of the issue context to the reservation context's events (inbound adapter).

/** The number a guest shows at the front desk: short, and unique enough per resort. */
const ticketNumber = () => `T-${newId().replace(/-/g, "").slice(-10).toUpperCase()}`;

/** Creates the issue context's policies. */
export function createIssuePolicies(issues: Repository<Issue, IssueEvent>): Policy[] {
  return [
    policy("issueTicketWhenReserved", on(Reserved, async ({ message: m }, tx) => {
      const { reservationId, customerId, resort, date } = m;
      await issues.apply(tx, { reservationId }, (existing) => issueTicket(existing, { reservationId, customerId, resort, date }, { id: newId(), ticketNumber: ticketNumber() }, new Date()));
    })),
    // The voucher holder decides the customer's request against check-in, in its own transaction.
    policy("decideCancelWhenReservationCancelRequested", on(ReservationCancelRequested, async ({ message: { reservationId, reason } }, tx) => {
      await issues.apply(tx, { reservationId }, (existing) => decideCancel(existing, { id: newId(), reservationId, reason }, new Date()));
    })),
  ];
}
