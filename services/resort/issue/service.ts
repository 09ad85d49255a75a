import { defineService, serve } from "../../../mesh/index.js";
import { IssueService } from "../../../gen/resort/v1/issue_pb.js";
import { createIssueApi } from "./api.js";
import { createIssuePolicies } from "./policies.js";
import { issues } from "./tables.js";

/** resort's issue: the confirmation vouchers, and the front desk's check-in. */
export const issueContext = defineService({
  id: "resort-issue",
  port: 8092,
  serves: [IssueService],
  tables: [issues],
  start({ repository }) {
    const rows = repository(issues);
    return { rpc: [serve(IssueService, createIssueApi(rows))], policies: createIssuePolicies(rows) };
  },
});
