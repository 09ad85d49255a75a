import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { issueContext } from "./issue/service.js";
import { mypageContext } from "./mypage/service.js";
import { registration } from "./registration.js";
import { reservationContext } from "./reservation/service.js";

/** Resort reservation (seed 001): its contexts, what payment refunds, and what notification tells its customers. */
export const resort = {
  ...registration,
  contexts: [reservationContext, issueContext, mypageContext],
} satisfies System & PaymentRegistration & NotificationRegistration;
