import { cancelAnswers, defineEvent } from "../../mesh/index.js";
import {
  CancelledTicketSchema,
  CheckedInSchema,
  IssuedTicketSchema,
  ReservationAbandonedSchema,
  ReservationCancelledSchema,
  ReservationCancelRequestedSchema,
  ReservedSchema,
} from "../../gen/resort/v1/events_pb.js";

// The resort system's domain events, by the context that publishes them (the seed's names).
// Every one is about a reservation: its id is the business key the saga runs on.

export const Reserved = defineEvent("resort.reservation", ReservedSchema, (e) => e.reservationId);
export const ReservationCancelRequested = defineEvent("resort.reservation", ReservationCancelRequestedSchema, (e) => e.reservationId);
export const ReservationCancelled = defineEvent("resort.reservation", ReservationCancelledSchema, (e) => e.reservationId);
export const ReservationAbandoned = defineEvent("resort.reservation", ReservationAbandonedSchema, (e) => e.reservationId);

export const IssuedTicket = defineEvent("resort.issue", IssuedTicketSchema, (e) => e.reservationId);
export const CancelledTicket = defineEvent("resort.issue", CancelledTicketSchema, (e) => e.reservationId);
export const CheckedIn = defineEvent("resort.issue", CheckedInSchema, (e) => e.reservationId);
// The voucher holder's answers to ReservationCancelRequested.
export const issueAnswers = cancelAnswers("resort.issue");
