import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { ReservationAbandoned, ReservationCancelled } from "./events.js";
import { issueContext } from "./issue/service.js";
import { mypageContext } from "./mypage/service.js";
import { resortMessages } from "./notifications.js";
import { reservationContext } from "./reservation/service.js";

/** Resort reservation (seed 001): its contexts, what payment refunds, and what notification tells its customers. */
export const resort = {
  name: "resort",
  contexts: [reservationContext, issueContext, mypageContext],
  // A confirmed cancellation (whenever payment is back), and a reservation never saved whose payment may have gone through.
  refunds: [refundWhen(ReservationCancelled, (e) => e.reason || "reservation cancelled"), refundWhen(ReservationAbandoned, (e) => `reservation not made: ${e.reason}`)],
  messages: resortMessages,
} satisfies System & PaymentRegistration & NotificationRegistration;
