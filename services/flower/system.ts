import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { deliveryContext } from "./delivery/service.js";
import { orderContext } from "./order/service.js";
import { registration } from "./registration.js";
import { storeContext } from "./store/service.js";

/** Flower delivery (seed 000): its contexts, what payment refunds, and what notification tells its customers. */
export const flower = {
  ...registration,
  contexts: [orderContext, storeContext, deliveryContext],
} satisfies System & PaymentRegistration & NotificationRegistration;
