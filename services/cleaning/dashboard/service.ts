import { defineService, serve, viewSteps } from "../../../mesh/index.js";
import { DashBoardService, MessageService } from "../../../gen/cleaning/v1/dashboard_pb.js";
import { createDashBoardApi, createMessageApi } from "./api.js";
import { messages, steps, views } from "./tables.js";
import { createDashBoardProjection } from "./view.js";

/** cleaning's dashboard: the view of every request, and the customer's messages. */
export const dashboardContext = defineService({
  id: "cleaning-dashboard",
  port: 8124,
  serves: [DashBoardService, MessageService],
  tables: [views, steps, messages],
  start({ repository }) {
    const [rows, stepRows, messageRows] = [repository(views), viewSteps(repository(steps)), repository(messages)];
    return {
      rpc: [serve(DashBoardService, createDashBoardApi(rows, stepRows)), serve(MessageService, createMessageApi(messageRows))],
      policies: [createDashBoardProjection(rows, stepRows, messageRows)],
    };
  },
});
