import { eventsOf, table, text, timestamp } from "../../../mesh/index.js";
import { CancelledTicket, CheckedIn, issueAnswers, IssuedTicket } from "../events.js";
import type { Issue, IssueEvent, IssueStatus } from "./domain.js";

/** The vouchers, one per reservation (a cancelled one may be a tombstone). */
export const issues = table<Issue, IssueEvent>("issues", {
  id: text(64).key(), reservationId: text(64).unique(), ticketNumber: text(32), customerId: text(64), resort: text(100), date: text(10),
  status: text<IssueStatus>(16), createdAt: timestamp().index(), issuedAt: timestamp().optional(), checkedInAt: timestamp().optional(), cancelledAt: timestamp().optional(),
}, { resource: "issue", events: eventsOf<IssueEvent>()({ IssuedTicket, CancelledTicket, CheckedIn, ...issueAnswers }) });
