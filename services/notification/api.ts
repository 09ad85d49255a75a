import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import { fieldChecks } from "../../mesh/index.js";
import { NotificationStatus, type NotificationSchema, type NotificationService } from "../../gen/notification/v1/notification_pb.js";
import type { Notification } from "./domain.js";
import { listNotifications } from "./store.js";

const defaultPageSize = 100;
const maxPageSize = 1000;

/** NotificationService's handlers: the recorded notifications, filtered, newest first. */
export function createNotificationApi(deps: { db: Knex }): ServiceImpl<typeof NotificationService> {
  return {
    async listNotifications(req) {
      fieldChecks()
        .check(req.system.length <= 32, "system", "must be at most 32 characters")
        .check(req.recipient.length <= 128, "recipient", "must be at most 128 characters")
        .check(req.correlationId.length <= 128, "correlationId", "must be at most 128 characters")
        .check(req.pageSize >= 0 && req.pageSize <= maxPageSize, "pageSize", `must be from 0 (${defaultPageSize}) to ${maxPageSize}`)
        .throwIfInvalid();
      const filter = { system: req.system, recipient: req.recipient, correlationId: req.correlationId };
      const notifications = await listNotifications(deps.db, filter, req.pageSize || defaultPageSize);
      return { notifications: notifications.map(toMessage) };
    },
  };
}

const statuses = {
  pending: NotificationStatus.PENDING,
  sent: NotificationStatus.SENT,
  failed: NotificationStatus.FAILED,
} as const;

function toMessage(n: Notification): MessageInitShape<typeof NotificationSchema> {
  return {
    id: n.id,
    system: n.system,
    recipient: n.recipient,
    correlationId: n.correlationId,
    eventType: n.eventType,
    message: n.message,
    channel: n.channel,
    status: statuses[n.status],
    attempts: n.attempts,
    createdAt: timestampFromDate(n.createdAt),
    sentAt: n.sentAt ? timestampFromDate(n.sentAt) : undefined,
  };
}
