import { defineService, serve } from "../../mesh/index.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { createNotificationApi } from "./api.js";
import { createChannel } from "./channels.js";
import { readNotificationConfig } from "./config.js";
import type { NotificationRegistration } from "./plug-in.js";
import { notificationPolicies } from "./policies.js";
import { startSender } from "./sender.js";
import { notifications, recipients } from "./tables.js";

/**
 * Notification, the general domain that tells customers about every status change (each system
 * registers its messages; services/catalog.ts hands them in), and the loop that sends them.
 */
export function createNotificationService(systems: readonly NotificationRegistration[]) {
  return defineService({
    id: "notification",
    port: 8085,
    serves: [NotificationService],
    tables: [notifications, recipients],
    config: readNotificationConfig,
    start: ({ db, transact, config, logger }) => {
      const channel = createChannel(config, logger);
      const sender = startSender({
        db, transact, channel, retry: config.retry, pollMs: config.pollMs, logger,
        leaseMs: config.webhookTimeoutMs + 30_000, // an attempt never holds a notification longer than its timeout
      });
      return {
        rpc: [serve(NotificationService, createNotificationApi(db))],
        policies: notificationPolicies(systems, { channel: channel.name, wake: sender.wake, recipientWaitMs: config.recipientWaitMs }),
        background: [sender],
      };
    },
  });
}
