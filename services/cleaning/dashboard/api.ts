import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { DashBoardViewSchema, MessageSchema, type DashBoardService, type MessageService } from "../../../gen/cleaning/v1/dashboard_pb.js";
import { idChecks } from "../checks.js";
import type { CustomerMessage, DashBoardRow, DashBoardStep, MessageEvent } from "./tables.js";

// DashBoardService and MessageService handlers: queries over what the projection keeps.

/** Creates the dashboard's query handlers. */
export function createDashBoardApi(rows: Repository<DashBoardRow>, stepRows: Repository<DashBoardStep>): ServiceImpl<typeof DashBoardService> {
  // Each row with its steps in the order they happened.
  const withSteps = async (found: DashBoardRow[]) => {
    const ids = found.map((r) => r.requestId);
    const stepsOf = new Map(ids.map((id) => [id, [] as DashBoardStep[]]));
    if (ids.length > 0) {
      const all = await stepRows.list({ match: (q, column) => q.whereIn(column("requestId"), ids), orderBy: [["occurredAt", "asc"], ["eventId", "asc"]], limit: ids.length * 100 });
      for (const step of all) stepsOf.get(step.requestId)!.push(step);
    }
    return found.map((row) => toMessage(DashBoardViewSchema, { ...row, steps: stepsOf.get(row.requestId) }));
  };
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
