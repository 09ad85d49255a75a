import type { EnvReader } from "../../mesh/index.js";
import type { RetrySchedule } from "./domain.js";

/** The notification service's own settings. */
export interface NotificationConfig {
  /** How notifications are sent: "log" (default) or "webhook" (NOTIFICATION_CHANNEL). */
  channel: "log" | "webhook";
  /** Where the webhook channel POSTs (NOTIFICATION_WEBHOOK_URL; required for it). */
  webhookUrl: string;
  webhookTimeoutMs: number;
  /** Failed sends: NOTIFICATION_MAX_ATTEMPTS in all, backing off from NOTIFICATION_RETRY_BASE_MS to NOTIFICATION_RETRY_MAX_MS. */
  retry: RetrySchedule;
  /** How often the sender looks for due notifications when nothing woke it (NOTIFICATION_POLL_MS). */
  pollMs: number;
  /** When an event's recipient is not known yet, how long until it is redelivered (NOTIFICATION_RECIPIENT_WAIT_MS). */
  recipientWaitMs: number;
}

/** Reads the notification service's settings from the environment. */
export function readNotificationConfig(env: EnvReader): NotificationConfig {
  const channel = env.oneOf("NOTIFICATION_CHANNEL", ["log", "webhook"] as const, "log");
  return {
    channel,
    webhookUrl: env.url("NOTIFICATION_WEBHOOK_URL", ["http", "https"], channel === "webhook" ? undefined : ""),
    webhookTimeoutMs: env.int("NOTIFICATION_WEBHOOK_TIMEOUT_MS", 5000, { min: 1, max: 120_000 }),
    retry: {
      maxAttempts: env.int("NOTIFICATION_MAX_ATTEMPTS", 6, { min: 1, max: 100 }),
      baseMs: env.int("NOTIFICATION_RETRY_BASE_MS", 1000, { min: 1, max: 3_600_000 }),
      maxMs: env.int("NOTIFICATION_RETRY_MAX_MS", 60_000, { min: 1, max: 86_400_000 }),
    },
    pollMs: env.int("NOTIFICATION_POLL_MS", 500, { min: 10, max: 600_000 }),
    recipientWaitMs: env.int("NOTIFICATION_RECIPIENT_WAIT_MS", 2000, { min: 10, max: 600_000 }),
  };
}
