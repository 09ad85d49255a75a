import type { Logger } from "../../mesh/index.js";
import type { NotificationConfig } from "./config.js";
import type { Notification } from "./domain.js";

/** A way to deliver a notification to its customer; `send` rejects when it did not get through. */
export interface Channel {
  name: string;
  send(notification: Notification): Promise<void>;
}

/** The default channel: a log line with the recipient and the message, for development and demos. */
export function createLogChannel(logger: Logger): Channel {
  return {
    name: "log",
    async send(n) {
      // Sent apart from the event's handling: the line names the command and the order itself.
      logger.info("notification sent", { recipient: n.recipient, message: n.message, correlationId: n.correlationId, referenceId: n.referenceId, eventType: n.eventType });
    },
  };
}

/** POSTs each notification as JSON to `url`; anything but a 2xx answer within `timeoutMs` is a failure. */
export function createWebhookChannel(options: { url: string; timeoutMs: number }): Channel {
  return {
    name: "webhook",
    async send(n) {
      const response = await fetch(options.url, {
        method: "POST",
        // The id lets the receiver drop a resend after an answer that was lost on the way back.
        headers: { "content-type": "application/json", "idempotency-key": n.id },
        body: JSON.stringify({
          id: n.id, system: n.system, recipient: n.recipient, referenceId: n.referenceId, correlationId: n.correlationId,
          eventType: n.eventType, message: n.message, createdAt: n.createdAt.toISOString(),
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel(); // the answer's body means nothing; free the connection
      if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
    },
  };
}

/** The channel the configuration names. */
export function createChannel(config: NotificationConfig, logger: Logger): Channel {
  return config.channel === "webhook"
    ? createWebhookChannel({ url: config.webhookUrl, timeoutMs: config.webhookTimeoutMs })
    : createLogChannel(logger);
}
