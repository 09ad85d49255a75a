import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { OrderAbandoned, OrderCancelled } from "./events.js";
import { flowerMessages } from "./notifications.js";

/**
 * What flower tells the shared services, apart from its contexts: what payment refunds, and what
 * notification tells its customers. Payment's and notification's processes load only this of flower
 * (services/catalog-for.ts), not its contexts' code.
 */
export const registration = {
  name: "flower",
  // A confirmed cancellation, and an order never placed whose payment may have gone through.
  refunds: [refundWhen(OrderCancelled, (e) => e.reason || "order cancelled"), refundWhen(OrderAbandoned, (e) => `order not placed: ${e.reason}`)],
  messages: flowerMessages,
  // An order never placed named nobody to tell: its refund is recorded as untold rather than waiting for a recipient.
  neverMade: [OrderAbandoned],
} satisfies PaymentRegistration & NotificationRegistration;
