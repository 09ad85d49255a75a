import type { System } from "../../mesh/index.js";
import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { itemContext } from "./item/service.js";
import { registration } from "./registration.js";
import { reservationContext } from "./reservation/service.js";

/** The neighbourhood rental market (seed 003): its contexts, what payment refunds, and what notification tells its renters. */
export const rental = {
  ...registration,
  contexts: [itemContext, reservationContext],
} satisfies System & PaymentRegistration & NotificationRegistration;
