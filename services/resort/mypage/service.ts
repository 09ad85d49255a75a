import { defineService, serve, viewSteps } from "../../../mesh/index.js";
import { MyPageService } from "../../../gen/resort/v1/mypage_pb.js";
import { createMyPageApi } from "./api.js";
import { createMyPageView, myPages, myPageSteps } from "./view.js";

/** resort's mypage: the customer's view of their reservations, fed only by events. */
export const mypageContext = defineService({
  id: "resort-mypage",
  port: 8093,
  serves: [MyPageService],
  tables: [myPages, myPageSteps],
  start({ repository }) {
    const view = createMyPageView(repository(myPages), viewSteps(repository(myPageSteps)));
    return { rpc: [serve(MyPageService, createMyPageApi(view))], policies: [view.projection] };
  },
});
