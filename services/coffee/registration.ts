import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { OrderAbandoned, OrderCanceled } from "./events.js";
import { coffeeMessages } from "./notifications.js";

/**
 * What coffee tells the shared services, apart from its contexts: what payment refunds, and what
 * notification tells its customers. Payment's and notification's processes load only this of coffee
 * (services/catalog-for.ts), not its contexts' code.
 */
export const registration = {
  name: "coffee",
  // A confirmed cancellation (the customer's, or the kitchen's rejection), and an order never taken whose payment may have gone through.
  refunds: [refundWhen(OrderCanceled, (e) => e.reason || "order canceled"), refundWhen(OrderAbandoned, (e) => `order not taken: ${e.reason}`)],
  messages: coffeeMessages,
  // An order never taken named nobody to tell: its refund is recorded as untold rather than waiting for a recipient.
  neverMade: [OrderAbandoned],
} satisfies PaymentRegistration & NotificationRegistration;
