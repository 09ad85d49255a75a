import { defineService, fieldChecks, serve, viewSteps } from "../../../mesh/index.js";
import { CustomerCenterService } from "../../../gen/coffee/v1/customercenter_pb.js";
import { createMyPageView, myPages, myPageSteps } from "./view.js";

/** coffee's customercenter: my page, the history of every order (CQRS), fed only by events. */
export const customerCenterContext = defineService({
  id: "coffee-customercenter",
  port: 8104,
  serves: [CustomerCenterService],
  tables: [myPages, myPageSteps],
  start({ repository }) {
    const view = createMyPageView(repository(myPages), viewSteps(repository(myPageSteps)));
    return {
      rpc: [serve(CustomerCenterService, {
        async listMyPages(req) {
          fieldChecks().maxLength("customerId", req.customerId, 64).maxLength("orderId", req.orderId, 64).pageSize(req.pageSize).throwIfInvalid();
          return view.page(req);
        },
      })],
      policies: [view.projection],
    };
  },
});
