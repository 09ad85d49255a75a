import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  ItemDeletedSchema,
  ItemRegisteredSchema,
  ItemReservedSchema,
  PaymentReleasedSchema,
  RentedItemSchema,
  ReservationCancelledSchema,
  ReservationCancelRequestedSchema,
  ReservationPaidSchema,
  ReservationPaymentCancelledSchema,
  ReservationPaymentVoidedSchema,
  ReservationRejectedSchema,
  ReservedSchema,
  ReturnedItemSchema,
} from "../../gen/rental/v1/events_pb.js";

// The rental system's domain events, by the context that publishes them (the seed's names).
// A reservation's saga runs on its id: every event about it is keyed by the reservation.

export const ItemRegistered = defineEvent("rental.item", ItemRegisteredSchema, (e) => e.itemNo);
export const ItemDeleted = defineEvent("rental.item", ItemDeletedSchema, (e) => e.itemNo);
export const ItemReserved = defineEvent("rental.item", ItemReservedSchema, (e) => e.reservationNo);
export const PaymentReleased = defineEvent("rental.item", PaymentReleasedSchema, (e) => e.reservationNo);
export const ReservationRejected = defineEvent("rental.item", ReservationRejectedSchema, (e) => e.reservationNo);
export const RentedItem = defineEvent("rental.item", RentedItemSchema, (e) => e.reservationNo);
export const ReturnedItem = defineEvent("rental.item", ReturnedItemSchema, (e) => e.reservationNo);
// The item holds what is rented, so it answers the renter's cancel requests.
export const itemAnswers = cancelAnswers("rental.item");

export const Reserved = defineEvent("rental.reservation", ReservedSchema, (e) => e.reservationNo);
export const ReservationCancelRequested = defineEvent("rental.reservation", ReservationCancelRequestedSchema, (e) => e.reservationNo);
export const ReservationCancelled = defineEvent("rental.reservation", ReservationCancelledSchema, (e) => e.reservationNo);
export const ReservationPaid = defineEvent("rental.reservation", ReservationPaidSchema, (e) => e.reservationNo);
export const ReservationPaymentCancelled = defineEvent("rental.reservation", ReservationPaymentCancelledSchema, (e) => e.reservationNo);
// Keyed by the payment it voids, so that payment refunds exactly that one.
export const ReservationPaymentVoided = defineEvent("rental.reservation", ReservationPaymentVoidedSchema, (e) => e.paymentReference);
