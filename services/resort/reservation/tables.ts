import { eventsOf, int, money, table, text, timestamp } from "../../../mesh/index.js";
import { ReservationAbandoned, ReservationCancelled, ReservationCancelRequested, Reserved } from "../events.js";
import type { Reservation, ReservationEvent, ReservationStatus } from "./domain.js";

// The reservation context's table, declared once: the runtime creates it and maps its rows.

export const reservations = table<Reservation, ReservationEvent>("reservations", {
  id: text(64).key(), customerId: text(64).index(), resort: text(100), region: text(100), date: text(10), persons: int(), rooms: int(),
  needs: text(300), cost: money(), paymentType: text(32), status: text<ReservationStatus>(20), paymentId: text(64), ticketNumber: text(32),
  reservedAt: timestamp().index(), cancelRequestedAt: timestamp().optional(), cancelledAt: timestamp().optional(), cancelReason: text(300), cancelRefusal: text(300),
}, { resource: "reservation", events: eventsOf<ReservationEvent>()({ Reserved, ReservationCancelRequested, ReservationCancelled, ReservationAbandoned }) });
