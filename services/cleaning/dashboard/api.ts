import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository, type ViewSteps } from "../../../mesh/index.js";
import { DashBoardViewSchema, MessageSchema, type DashBoardService, type MessageService } from "../../../gen/cleaning/v1/dashboard_pb.js";
import { idChecks } from "../checks.js";
import type { CustomerMessage, DashBoardRow, MessageEvent } from "./tables.js";

// DashBoardService and MessageService handlers: queries over what the projection keeps.

/** Creates the dashboard's query handlers. */
export function createDashBoardApi(rows: Repository<DashBoardRow>, steps: ViewSteps): ServiceImpl<typeof DashBoardService> {
  // Each row with its steps in the order they happened.
  const withSteps = async (found: DashBoardRow[]) => (await steps.attach(found, (row) => row.requestId)).map((row) => toMessage(DashBoardViewSchema, row));
  return {
    async listDashBoardViews(req) {
      fieldChecks().maxLength("requestId", req.requestId, 64).maxLength("customerId", req.customerId, 64).throwIfInvalid();
      const where = { requestId: req.requestId || undefined, customerId: req.customerId || undefined };
      const { items, nextPageToken } = await rows.page({ by: "createdAt", where, pageSize: req.pageSize, pageToken: req.pageToken });
      return { dashBoardViews: await withSteps(items), nextPageToken };
    },

    async getDashBoardView(req) {
      idChecks("requestId", req.requestId).throwIfInvalid();
      const [view] = await withSteps([await rows.get(req.requestId)]);
      return { dashBoardView: view };
    },
  };
}

/** Creates the message service's handler: the customer's messages, newest first. */
export function createMessageApi(messageRows: Repository<CustomerMessage, MessageEvent>): ServiceImpl<typeof MessageService> {
  return {
    async listMessages(req) {
      fieldChecks().maxLength("requestId", req.requestId, 64).maxLength("recipient", req.recipient, 64).throwIfInvalid();
      const where = { requestId: req.requestId || undefined, recipient: req.recipient || undefined };
      const { items, nextPageToken } = await messageRows.page({ by: "createdAt", where, pageSize: req.pageSize, pageToken: req.pageToken });
      return { messages: items.map((m) => toMessage(MessageSchema, m)), nextPageToken };
    },
  };
}
