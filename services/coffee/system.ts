import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { customerCenterContext } from "./customercenter/service.js";
import { OrderAbandoned, OrderCanceled } from "./events.js";
import { coffeeMessages } from "./notifications.js";
import { orderContext } from "./order/service.js";
import { productContext } from "./product/service.js";
import { stockContext } from "./stock/service.js";

/** The coffee shop (seed 002): its contexts, what payment refunds, and what notification tells its customers. */
export const coffee = {
  name: "coffee",
  contexts: [orderContext, productContext, stockContext, customerCenterContext],
  // A confirmed cancellation (the customer's, or the kitchen's rejection), and an order never taken whose payment may have gone through.
  refunds: [refundWhen(OrderCanceled, (e) => e.reason || "order canceled"), refundWhen(OrderAbandoned, (e) => `order not taken: ${e.reason}`)],
  messages: coffeeMessages,
} satisfies System & PaymentRegistration & NotificationRegistration;
