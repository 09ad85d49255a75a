import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks } from "../../../mesh/index.js";
import type { MyPageService } from "../../../gen/resort/v1/mypage_pb.js";
import type { MyPageView } from "./view.js";

// MyPageService handlers (inbound adapter).

/** Creates my page's RPC handler. */
export function createMyPageApi(view: MyPageView): ServiceImpl<typeof MyPageService> {
  return {
    async listMyPages(req) {
      fieldChecks().maxLength("customerId", req.customerId, 64).maxLength("reservationId", req.reservationId, 64).throwIfInvalid();
      return view.page(req);
    },
  };
}
