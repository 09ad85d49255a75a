import { int, table, text, timestamp } from "../../mesh/index.js";
import type { Knex } from "knex";
import type { Notification, NotificationStatus } from "./domain.js";

// Notifications, and the recipient of each order (reservation, request) learnt from its events.

export const notifications = table<Notification>("notifications", {
  id: text(36).key(), eventId: text(64).unique(), system: text(32), recipient: text(128), referenceId: text(128), correlationId: text(255),
  eventType: text(255), message: text(1000), channel: text(16), status: text<NotificationStatus>(16), attempts: int(), lastError: text(1000),
  nextAttemptAt: timestamp(), createdAt: timestamp(), sentAt: timestamp().optional(),
}, {
  resource: "notification",
  // The sender's sweep, and the three ways a customer or an operator looks them up.
  indexes: [["status", "nextAttemptAt"], ["recipient", "createdAt"], ["referenceId", "createdAt"], ["correlationId", "createdAt"]],
});

/** Who is told about a system's order (reservation, request): the latest event that names a recipient wins. */
export const recipients = table<{ system: string; referenceId: string; recipient: string }>("recipients", {
  system: text(32).key(), referenceId: text(128).key(), recipient: text(128),
});

/** Pending notifications due by `now`, oldest due first. */
export function listDue(db: Knex, now: Date, limit: number): Promise<Notification[]> {
  return notifications.list(db, { where: { status: "pending" }, match: (q, c) => q.where(c("nextAttemptAt"), "<=", now), orderBy: [["nextAttemptAt", "asc"]], limit });
}

/**
 * Claims a due notification for one attempt by moving its next attempt to `until`; false when
 * another sender (a replica) claimed it first. A sender that dies mid-attempt loses the claim at `until`.
 */
export async function claimAttempt(db: Knex, n: Notification, now: Date, until: Date): Promise<boolean> {
  const c = notifications.column;
  const claimed = await db(notifications.name)
    .where({ [c("id")]: n.id, [c("status")]: "pending", [c("attempts")]: n.attempts }).andWhere(c("nextAttemptAt"), "<=", now)
    .update({ [c("nextAttemptAt")]: until });
  return claimed === 1;
}

