import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { customerCenterContext } from "./customercenter/service.js";
import { orderContext } from "./order/service.js";
import { productContext } from "./product/service.js";
import { registration } from "./registration.js";
import { stockContext } from "./stock/service.js";

/** The coffee shop (seed 002): its contexts, what payment refunds, and what notification tells its customers. */
export const coffee = {
  ...registration,
  contexts: [orderContext, productContext, stockContext, customerCenterContext],
} satisfies System & PaymentRegistration & NotificationRegistration;
