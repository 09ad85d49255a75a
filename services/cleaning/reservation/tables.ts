import { eventsOf, money, table, text, timestamp } from "../../../mesh/index.js";
import { CleaningCancelRequested, CleaningPaymentVoided, CleaningRequestCanceled, CleaningRequested } from "../events.js";
import type { CleaningReservation, ReservationEvent, ReservationStatus } from "./domain.js";

/** The cleaning requests, declared once: the runtime creates the table and maps its rows. */
export const reservations = table<CleaningReservation, ReservationEvent>("cleaning_reservations", {
  id: text(64).key(), place: text(300), requestDate: text(10), price: money(), customerId: text(64), status: text<ReservationStatus>(24),
  createdAt: timestamp(), cancelRequestedAt: timestamp().optional(), cancelReason: text(300), cancelRefusal: text(300),
  paymentReference: text(64).since("0001_cleaning_reservations_payment_reference", ""),
}, {
  resource: "cleaning reservation",
  events: eventsOf<ReservationEvent>()({ CleaningRequested, CleaningCancelRequested, CleaningRequestCanceled, CleaningPaymentVoided }),
  indexes: [["createdAt", "id"], ["customerId", "createdAt"]],
});
