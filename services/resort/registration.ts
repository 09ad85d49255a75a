import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { ReservationAbandoned, ReservationCancelled } from "./events.js";
import { resortMessages } from "./notifications.js";

/**
 * What resort tells the shared services, apart from its contexts: what payment refunds, and what
 * notification tells its customers. Payment's and notification's processes load only this of resort
 * (services/catalog-for.ts), not its contexts' code.
 */
export const registration = {
  name: "resort",
  // A confirmed cancellation (whenever payment is back), and a reservation never saved whose payment may have gone through.
  refunds: [refundWhen(ReservationCancelled, (e) => e.reason || "reservation cancelled"), refundWhen(ReservationAbandoned, (e) => `reservation not made: ${e.reason}`)],
  messages: resortMessages,
  // A reservation never made named nobody to tell: its refund is recorded as untold rather than waiting for a recipient.
  neverMade: [ReservationAbandoned],
} satisfies PaymentRegistration & NotificationRegistration;
