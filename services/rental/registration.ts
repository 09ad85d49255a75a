import type { NotificationRegistration } from "../notification/plug-in.js";
import type { PaymentRegistration } from "../payment/plug-in.js";
import { refundWhen } from "../payment/plug-in.js";
import { ReservationCancelled, ReservationPaymentVoided } from "./events.js";
import { rentalMessages } from "./notifications.js";

/**
 * What rental tells the shared services, apart from its contexts: what payment refunds, and what
 * notification tells its renters. Payment's and notification's processes load only this of rental
 * (services/catalog-for.ts), not its contexts' code.
 */
export const registration = {
  name: "rental",
  // A cancelled (or rejected) reservation, and a payment attempt voided on its own (lost, late, a retry's, or
  // one the renter cancelled: ReservationPaymentCancelled stays keyed by the reservation, for its renter and
  // its order, so its attempt is refunded by the ReservationPaymentVoided published with it).
  refunds: [refundWhen(ReservationCancelled, (e) => e.reason || "reservation cancelled"), refundWhen(ReservationPaymentVoided, (e) => `payment voided: ${e.reason}`)],
  messages: rentalMessages,
} satisfies PaymentRegistration & NotificationRegistration;
