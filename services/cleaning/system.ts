import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { cleaningContext } from "./cleaning/service.js";
import { dashboardContext } from "./dashboard/service.js";
import { CleaningPaymentVoided, CleaningRequestCanceled, PaymethodAbandoned } from "./events.js";
import { cleaningMessages } from "./notifications.js";
import { paymethodContext } from "./paymethod/service.js";
import { reservationContext } from "./reservation/service.js";

/** Home cleaning (seed 004): its contexts, what payment refunds, and what notification tells its customers. */
export const cleaning = {
  name: "cleaning",
  contexts: [reservationContext, cleaningContext, paymethodContext, dashboardContext],
  // Payment refunds by reference, and each payment attempt has its own: a confirmed cancellation
  // refunds the first attempt's (the request id), CleaningPaymentVoided a later attempt that paid
  // for a cancelled request, PaymethodAbandoned an attempt whose payment method was never registered.
  refunds: [
    refundWhen(CleaningRequestCanceled, (e) => e.reason || "cleaning request cancelled"),
    refundWhen(CleaningPaymentVoided, (e) => `cleaning request cancelled: ${e.reason}`),
    refundWhen(PaymethodAbandoned, (e) => `payment method not registered: ${e.reason}`),
  ],
  messages: cleaningMessages,
} satisfies System & PaymentRegistration & NotificationRegistration;
