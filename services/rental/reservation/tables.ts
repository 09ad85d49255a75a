import { bool, eventsOf, int, money, table, text, timestamp } from "../../../mesh/index.js";
import { ReservationCancelled, ReservationCancelRequested, ReservationPaid, ReservationPaymentCancelled, ReservationPaymentVoided, Reserved } from "../events.js";
import type { KnownItem, PaymentStatus, RentalStatus, Reservation, ReservationEvent, ReservationStatus } from "./domain.js";

// The reservation context's tables, declared once: the runtime creates them and maps their rows.

export const reservations = table<Reservation, ReservationEvent>("reservations", {
  id: text(64).key(), customerName: text(100), customerId: text(64).index(), itemNo: text(64).index(), itemName: text(100), itemPrice: money(),
  reservationStatus: text<ReservationStatus>(16), paymentStatus: text<PaymentStatus>(16), rentalStatus: text<RentalStatus>(16),
  paymentId: text(64), paymentReference: text(80), payAttempts: int(), reservedAt: timestamp().index(), cancelRequestedAt: timestamp().optional(),
  cancelReason: text(300), cancelRefusal: text(300), updatedAt: timestamp(),
}, {
  resource: "reservation",
  events: eventsOf<ReservationEvent>()({ Reserved, ReservationCancelRequested, ReservationCancelled, ReservationPaid, ReservationPaymentCancelled, ReservationPaymentVoided }),
});

/** The items as their events told: a reservation is taken without asking the item service. */
export const knownItems = table<KnownItem>("known_items", { id: text(64).key(), itemName: text(100), itemPrice: money(), deleted: bool() });
