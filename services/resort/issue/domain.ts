// The confirmation voucher: issued once a reservation is paid, used when the guest checks in,
// revoked when its reservation is cancelled. It holds the stay, so it decides a cancel request
// against check-in: exactly one of the two wins. Pure.
import { cancelConfirmed, cancelRefused, decide, refuse, type CancelAnswer, type Decision, type Outcome } from "../../../mesh/kernel/index.js";

export type IssueStatus = "Issued" | "CheckedIn" | "Cancelled";

export interface Issue {
  id: string;
  reservationId: string;
  /** Empty for a tombstone: cancelled before it was issued. */
  ticketNumber: string;
  customerId: string;
  resort: string;
  date: string;
  status: IssueStatus;
  createdAt: Date;
  issuedAt?: Date;
  checkedInAt?: Date;
  cancelledAt?: Date;
}

type Ids = { issueId: string; reservationId: string; ticketNumber: string };
export type IssueEvent =
  | ({ type: "IssuedTicket" } & Ids)
  | ({ type: "CancelledTicket" } & Ids)
  | ({ type: "CheckedIn" } & Ids)
  | CancelAnswer;

/** What the voucher needs of a paid reservation (its Reserved event). */
export interface ReservedStay {
  reservationId: string;
  customerId: string;
  resort: string;
  date: string;
}

const idsOf = (i: Issue): Ids => ({ issueId: i.id, reservationId: i.reservationId, ticketNumber: i.ticketNumber });

/**
 * Step 2: a paid reservation gets its voucher. One already issued is not issued twice, and a
 * reservation cancelled before its voucher left a tombstone, so a late Reserved issues none.
 */
export function issueTicket(existing: Issue | undefined, stay: ReservedStay, issue: { id: string; ticketNumber: string }, now: Date): Decision<Issue, IssueEvent> {
  if (existing) return decide(existing);
  const issued: Issue = { ...stay, ...issue, status: "Issued", createdAt: now, issuedAt: now };
  return decide(issued, { type: "IssuedTicket", ...idsOf(issued) });
}

/** The guest checks in: the stay is fulfilled. Twice changes nothing; a revoked voucher is refused. */
export function checkIn(issue: Issue, now: Date): Outcome<Issue, IssueEvent> {
  if (issue.status === "CheckedIn") return decide(issue);
  if (issue.status === "Cancelled") return refuse("TICKET_CANCELLED", `voucher ${issue.id} was revoked: its reservation was cancelled`);
  return decide({ ...issue, status: "CheckedIn", checkedInAt: now }, { type: "CheckedIn", ...idsOf(issue) });
}

/**
 * Step 4: the customer asks to cancel. An issued voucher is revoked and the cancellation
 * confirmed; with none yet, a tombstone confirms it; a used one refuses (the guest checked in).
 * A redelivered request is answered the same, changing nothing.
 */
export function decideCancel(existing: Issue | undefined, request: { id: string; reservationId: string; reason: string }, now: Date): Decision<Issue, IssueEvent> {
  const { reservationId, reason } = request;
  if (!existing) {
    const tombstone: Issue = { id: request.id, reservationId, ticketNumber: "", customerId: "", resort: "", date: "", status: "Cancelled", createdAt: now, cancelledAt: now };
    return decide(tombstone, cancelConfirmed(reservationId, reason));
  }
  if (existing.status === "CheckedIn") return decide(existing, cancelRefused(reservationId, refuse("ALREADY_CHECKED_IN", "already checked in")));
  if (existing.status === "Cancelled") return decide(existing, cancelConfirmed(reservationId, reason));
  return decide<Issue, IssueEvent>({ ...existing, status: "Cancelled", cancelledAt: now }, { type: "CancelledTicket", ...idsOf(existing) }, cancelConfirmed(reservationId, reason));
}
