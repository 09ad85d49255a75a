import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { deliveryContext } from "./delivery/service.js";
import { OrderAbandoned, OrderCancelled } from "./events.js";
import { flowerMessages } from "./notifications.js";
import { orderContext } from "./order/service.js";
import { storeContext } from "./store/service.js";

/** Flower delivery (seed 000): its contexts, what payment refunds, and what notification tells its customers. */
export const flower = {
  name: "flower",
  contexts: [orderContext, storeContext, deliveryContext],
  // A confirmed cancellation, and an order never placed whose payment may have gone through.
  refunds: [refundWhen(OrderCancelled, (e) => e.reason || "order cancelled"), refundWhen(OrderAbandoned, (e) => `order not placed: ${e.reason}`)],
  messages: flowerMessages,
} satisfies System & PaymentRegistration & NotificationRegistration;
