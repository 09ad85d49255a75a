import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import { fieldChecks, toMessage } from "../../mesh/index.js";
import { NotificationSchema, type NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { notifications } from "./tables.js";

/** NotificationService's handlers: the recorded notifications, filtered, newest first. */
export function createNotificationApi(db: Knex): ServiceImpl<typeof NotificationService> {
  return {
    async listNotifications(req) {
      fieldChecks()
        .maxLength("system", req.system, 32).maxLength("recipient", req.recipient, 128)
        .maxLength("referenceId", req.referenceId, 128).maxLength("correlationId", req.correlationId, 255).pageSize(req.pageSize)
        .throwIfInvalid();
      const where = { system: req.system || undefined, recipient: req.recipient || undefined, referenceId: req.referenceId || undefined, correlationId: req.correlationId || undefined };
      const { items, nextPageToken } = await notifications.page(db, { where, by: "createdAt", pageSize: req.pageSize, pageToken: req.pageToken });
      return { notifications: items.map((n) => toMessage(NotificationSchema, n)), nextPageToken };
    },
  };
}
