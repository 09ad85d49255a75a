// Notifications: pure rules for what a customer is told and how delivery attempts go.
// No protobuf, SQL or NATS here; templates read plain fields.

/** How one kind of event becomes a message for the customer. */
export interface Template<F> {
  /** The business key the customer's messages belong to (the order id). */
  correlationId(fields: F): string;
  /** The recipient, for the event that carries it (OrderPlaced carries the phone number). */
  recipient?(fields: F): string;
  text(fields: F): string;
}

/** One system's templates, by event type (the subject without namespace, "flower.order.OrderPlaced"). */
export type SystemTemplates = Readonly<Record<string, Template<never>>>;

/** What an event says to its customer: the message, its business key and, when carried, the recipient. */
export interface Rendered {
  correlationId: string;
  recipient?: string;
  text: string;
}

/** Where a notification stands. */
export type NotificationStatus = "pending" | "sent" | "failed";

/** A message recorded for a customer before any channel tries to send it, so none is ever lost. */
export interface Notification {
  id: string;
  /** The event it was rendered from: one notification per event. */
  eventId: string;
  system: string;
  recipient: string;
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
  sentAt: Date | null;
}

/** How failed sends are retried: exponential backoff from baseMs, capped at maxMs, up to maxAttempts in all. */
export interface RetrySchedule {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Renders `fields` of an event of `eventType`; undefined when the system has no template for it. */
export function renderMessage(templates: SystemTemplates, eventType: string, fields: object): Rendered | undefined {
  const template = templates[eventType] as Template<object> | undefined;
  if (!template) return undefined;
  const recipient = template.recipient?.(fields) || undefined;
  return { correlationId: template.correlationId(fields), recipient, text: template.text(fields) };
}

/** A new pending notification, due at once. */
export function createNotification(
  rendered: Rendered,
  recipient: string,
  origin: { id: string; eventId: string; system: string; eventType: string; channel: string; now: Date },
): Notification {
  return {
    id: origin.id, eventId: origin.eventId, system: origin.system, recipient, correlationId: rendered.correlationId,
    eventType: origin.eventType, message: rendered.text, channel: origin.channel, status: "pending", attempts: 0,
    lastError: "", nextAttemptAt: origin.now, createdAt: origin.now, sentAt: null,
  };
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
  if (attempts >= schedule.maxAttempts) return { ...notification, attempts, status: "failed", lastError: outcome.error };
  return {
    ...notification, attempts, lastError: outcome.error,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, schedule)),
  };
}
