import type { Knex } from "knex";
import type { Migration } from "../../mesh/index.js";
import type { Notification, NotificationStatus } from "./domain.js";

// Notifications and the recipients they go to, in SQL.

const notifications = "notifications";
const recipients = "recipients";

/** The notification service's schema, applied in order at start. */
export const migrations: readonly Migration[] = [
  {
    name: "0001_notifications",
    async up(db) {
      await db.schema.createTable(notifications, (t) => {
        t.string("id", 36).primary();
        t.string("event_id", 64).notNullable().unique(); // one notification per event
        t.string("system", 32).notNullable();
        t.string("recipient", 128).notNullable();
        t.string("correlation_id", 128).notNullable();
        t.string("event_type", 255).notNullable();
        t.string("message", 1000).notNullable();
        t.string("channel", 16).notNullable();
        t.string("status", 16).notNullable();
        t.integer("attempts").notNullable();
        t.string("last_error", 1000).notNullable();
        t.datetime("next_attempt_at", { precision: 3 }).notNullable();
        t.datetime("created_at", { precision: 3 }).notNullable();
        t.datetime("sent_at", { precision: 3 }).nullable();
        t.index(["status", "next_attempt_at"], "notifications_due"); // the sender's sweep
        t.index(["recipient", "created_at"], "notifications_recipient");
        t.index(["correlation_id", "created_at"], "notifications_correlation_id");
      });
    },
    async down(db) {
      await db.schema.dropTable(notifications);
    },
  },
  {
    // The phone number (or customer id) of each order, learnt from the event that carries it.
    name: "0002_recipients",
    async up(db) {
      await db.schema.createTable(recipients, (t) => {
        t.string("system", 32).notNullable();
        t.string("correlation_id", 128).notNullable();
        t.string("recipient", 128).notNullable();
        t.primary(["system", "correlation_id"]);
      });
    },
    async down(db) {
      await db.schema.dropTable(recipients);
    },
  },
];

/** Remembers who is told about (system, correlationId); the latest event that names a recipient wins. */
export async function rememberRecipient(db: Knex, system: string, correlationId: string, recipient: string): Promise<void> {
  await db(recipients).insert({ system, correlation_id: correlationId, recipient })
    .onConflict(["system", "correlation_id"]).merge(["recipient"]);
}

/** Who is told about (system, correlationId), once an event has said so. */
export async function findRecipient(db: Knex, system: string, correlationId: string): Promise<string | undefined> {
  const row = await db(recipients).where({ system, correlation_id: correlationId }).first("recipient");
  return row?.recipient;
}

/** Records a notification (before any attempt to send it). */
export async function insertNotification(db: Knex, n: Notification): Promise<void> {
  await db(notifications).insert(toRow(n));
}

/** Notifications matching every given filter, newest first. */
export async function listNotifications(
  db: Knex,
  filter: { system?: string; recipient?: string; correlationId?: string },
  limit: number,
): Promise<Notification[]> {
  const query = db<NotificationRow>(notifications);
  if (filter.system) query.where({ system: filter.system });
  if (filter.recipient) query.where({ recipient: filter.recipient });
  if (filter.correlationId) query.where({ correlation_id: filter.correlationId });
  const rows = await query.orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }]).limit(limit);
  return rows.map(fromRow);
}

/** Pending notifications due by `now`, oldest due first. */
export async function listDue(db: Knex, now: Date, limit: number): Promise<Notification[]> {
  const rows = await db<NotificationRow>(notifications).where({ status: "pending" }).andWhere("next_attempt_at", "<=", now)
    .orderBy("next_attempt_at").limit(limit);
  return rows.map(fromRow);
}

/**
 * Claims a due notification for one attempt by moving its next attempt to `until`; false when
 * another sender (a replica) claimed it first. A sender that dies mid-attempt loses the claim at `until`.
 */
export async function claimAttempt(db: Knex, n: Notification, now: Date, until: Date): Promise<boolean> {
  const claimed = await db(notifications)
    .where({ id: n.id, status: "pending", attempts: n.attempts }).andWhere("next_attempt_at", "<=", now)
    .update({ next_attempt_at: until });
  return claimed === 1;
}

/** Stores the outcome of an attempt (status, attempts, error, next attempt, sent time). */
export async function saveAttempt(db: Knex, n: Notification): Promise<void> {
  const row = toRow(n);
  await db(notifications).where({ id: n.id }).update({
    status: row.status, attempts: row.attempts, last_error: row.last_error, next_attempt_at: row.next_attempt_at, sent_at: row.sent_at,
  });
}

interface NotificationRow {
  id: string;
  event_id: string;
  system: string;
  recipient: string;
  correlation_id: string;
  event_type: string;
  message: string;
  channel: string;
  status: string;
  attempts: number;
  last_error: string;
  next_attempt_at: Date | number;
  created_at: Date | number;
  sent_at: Date | number | null;
}

function toRow(n: Notification): NotificationRow {
  return {
    id: n.id, event_id: n.eventId, system: n.system, recipient: n.recipient, correlation_id: n.correlationId,
    event_type: n.eventType, message: n.message.slice(0, 1000), channel: n.channel, status: n.status, attempts: n.attempts,
    last_error: n.lastError.slice(0, 1000), next_attempt_at: n.nextAttemptAt, created_at: n.createdAt, sent_at: n.sentAt,
  };
}

function fromRow(r: NotificationRow): Notification {
  return {
    id: r.id, eventId: r.event_id, system: r.system, recipient: r.recipient, correlationId: r.correlation_id,
    eventType: r.event_type, message: r.message, channel: r.channel, status: r.status as NotificationStatus,
    attempts: Number(r.attempts), lastError: r.last_error,
    // MySQL gives Dates, SQLite the milliseconds knex stored.
    nextAttemptAt: new Date(r.next_attempt_at), createdAt: new Date(r.created_at), sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  };
}
