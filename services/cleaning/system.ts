import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { cleaningContext } from "./cleaning/service.js";
import { dashboardContext } from "./dashboard/service.js";
import { paymethodContext } from "./paymethod/service.js";
import { registration } from "./registration.js";
import { reservationContext } from "./reservation/service.js";

/** Home cleaning (seed 004): its contexts, what payment refunds, and what notification tells its customers. */
export const cleaning = {
  ...registration,
  contexts: [reservationContext, cleaningContext, paymethodContext, dashboardContext],
} satisfies System & PaymentRegistration & NotificationRegistration;
