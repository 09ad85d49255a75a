import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { cleaningContext } from "./cleaning/service.js";
import { dashboardContext } from "./dashboard/service.js";
import { CleaningRequestCanceled, PaymethodAbandoned } from "./events.js";
import { cleaningMessages } from "./notifications.js";
import { paymethodContext } from "./paymethod/service.js";
import { reservationContext } from "./reservation/service.js";

/** Home cleaning (seed 004): its contexts, what payment refunds, and what notification tells its customers. */
export const cleaning = {
  name: "cleaning",
  contexts: [reservationContext, cleaningContext, paymethodContext, dashboardContext],
  // A confirmed cancellation, and a payment method never registered whose payment may have gone through.
  refunds: [
    refundWhen(CleaningRequestCanceled, (e) => e.reason || "cleaning request cancelled"),
    refundWhen(PaymethodAbandoned, (e) => `payment method not registered: ${e.reason}`),
  ],
  messages: cleaningMessages,
} satisfies System & PaymentRegistration & NotificationRegistration;
