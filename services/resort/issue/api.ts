import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { IssueSchema, type IssueService } from "../../../gen/resort/v1/issue_pb.js";
import { checkIn, type Issue, type IssueEvent } from "./domain.js";

// IssueService handlers (inbound adapter): each is its field rules, then one call.

const message = (i: Issue) => toMessage(IssueSchema, i);

/** Creates the issue context's RPC handlers. */
export function createIssueApi(issues: Repository<Issue, IssueEvent>): ServiceImpl<typeof IssueService> {
  return {
    async getIssue(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      return { issue: message(await issues.get(req.id)) };
    },

    async listIssues(req) {
      fieldChecks().maxLength("reservationId", req.reservationId, 64).throwIfInvalid();
      const page = await issues.page({ by: "createdAt", where: { reservationId: req.reservationId || undefined }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { issues: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async checkIn(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      return { issue: message(await issues.change(req.id, (i) => checkIn(i, new Date()))) };
    },
  };
}
