import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { CleaningPaymentVoided, CleaningRequestCanceled, PaymethodAbandoned } from "./events.js";
import { cleaningMessages } from "./notifications.js";

/**
 * What cleaning tells the shared services, apart from its contexts: what payment refunds, and what
 * notification tells its customers. Payment's and notification's processes load only this of cleaning
 * (services/catalog-for.ts), not its contexts' code.
 */
export const registration = {
  name: "cleaning",
  // Payment refunds by reference, and each payment attempt has its own: a confirmed cancellation
  // refunds the first attempt's (the request id), CleaningPaymentVoided a later attempt that paid
  // for a cancelled request, PaymethodAbandoned an attempt whose payment method was never registered.
  refunds: [
    refundWhen(CleaningRequestCanceled, (e) => e.reason || "cleaning request cancelled"),
    refundWhen(CleaningPaymentVoided, (e) => `cleaning request cancelled: ${e.reason}`),
    refundWhen(PaymethodAbandoned, (e) => `payment method not registered: ${e.reason}`),
  ],
  messages: cleaningMessages,
} satisfies PaymentRegistration & NotificationRegistration;
