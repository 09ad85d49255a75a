// Notifications: pure rules for what is recorded for a customer and how delivery attempts go.
// No protobuf, SQL or NATS here.

/** Where a notification stands. */
export type NotificationStatus = "pending" | "sent" | "failed";

/** A message recorded for a customer before any channel tries to send it, so none is ever lost. */
export interface Notification {
  id: string;
  /** The event it was rendered from: one notification per event. */
  eventId: string;
  system: string;
  recipient: string;
  /** The order, reservation or request it is about. */
  referenceId: string;
  /** The command whose event it tells of: what that command's caller follows it by. */
  correlationId: string;
  eventType: string;
  message: string;
  channel: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string;
  /** When the sender may next try it. */
  nextAttemptAt: Date;
  createdAt: Date;
  sentAt?: Date;
}

/** How failed sends are retried: exponential backoff from baseMs, capped at maxMs, up to maxAttempts in all. */
export interface RetrySchedule {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** The longest message and error kept. */
const maxText = 1000;

/** Where a notification comes from (its event, system, order and channel), and when it is recorded. */
export type NotificationOrigin = Pick<Notification, "id" | "eventId" | "system" | "referenceId" | "correlationId" | "eventType" | "channel"> & { now: Date };

/** A new pending notification of `text` to `recipient`, due at once. */
export function createNotification(
  text: string,
  recipient: string,
  origin: NotificationOrigin,
): Notification {
  const { now, ...from } = origin;
  return { ...from, recipient, message: text.slice(0, maxText), status: "pending", attempts: 0, lastError: "", nextAttemptAt: now, createdAt: now };
}

/** A notification that no channel will try: there is nobody to tell (`reason` says why), recorded so that what happened stays visible. */
export function untoldNotification(
  text: string,
  reason: string,
  origin: NotificationOrigin,
): Notification {
  return { ...createNotification(text, "", origin), status: "failed", lastError: reason.slice(0, maxText) };
}

/** The wait before the attempt after `attempts` failed ones: base, 2×base, 4×base, … capped. */
export function retryDelayMs(attempts: number, schedule: RetrySchedule): number {
  return Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** The notification after one send attempt: sent, due again after a backoff, or failed once attempts run out. */
export function recordAttempt(
  notification: Notification,
  outcome: { ok: true } | { ok: false; error: string },
  now: Date,
  schedule: RetrySchedule,
): Notification {
  const attempts = notification.attempts + 1;
  if (outcome.ok) return { ...notification, attempts, status: "sent", sentAt: now, lastError: "" };
  const lastError = outcome.error.slice(0, maxText);
  if (attempts >= schedule.maxAttempts) return { ...notification, attempts, status: "failed", lastError };
  return { ...notification, attempts, lastError, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, schedule)) };
}
