// The customer's reservation: reserving it (paid, or not at all), cancelling it, and following
// the voucher as the issue context reports. Pure: decisions return the new state and events.
import { decide, further, refuse, type Decision, type Money, type Outcome } from "../../../mesh/kernel/index.js";

export type ReservationStatus = "Reserved" | "Confirmed" | "CheckedIn" | "Cancelled";

export interface Reservation {
  id: string;
  customerId: string;
  resort: string;
  region: string;
  /** The day of the stay, YYYY-MM-DD. */
  date: string;
  persons: number;
  rooms: number;
  needs: string;
  cost: Money;
  paymentType: string;
  status: ReservationStatus;
  paymentId: string;
  ticketNumber: string;
  reservedAt: Date;
  /** When the customer asked to cancel; the issue context (holding the voucher) decides. */
  cancelRequestedAt?: Date;
  cancelledAt?: Date;
  cancelReason: string;
  /** Why the issue context refused the cancellation ("already checked in"); empty otherwise. */
  cancelRefusal: string;
}

/** What the customer asks for. */
export type Reserve = Pick<Reservation, "customerId" | "resort" | "region" | "date" | "persons" | "rooms" | "needs" | "cost" | "paymentType">;

export type Reserved = { type: "Reserved"; reservationId: string } & Omit<Reserve, never> & { paymentId: string };
export type ReservationCancelRequested = { type: "ReservationCancelRequested"; reservationId: string; reason: string };
export type ReservationCancelled = { type: "ReservationCancelled"; reservationId: string; reason: string; cost: Money };
export type ReservationAbandoned = { type: "ReservationAbandoned"; reservationId: string; reason: string };
export type ReservationEvent = Reserved | ReservationCancelRequested | ReservationCancelled | ReservationAbandoned;

export const MAX_PERSONS = 100;
export const MAX_ROOMS = 50;

/** Step 1's other outcome: no reservation, and whatever the payment took is refunded. */
export const abandonReservation = (reservationId: string, reason: string): ReservationAbandoned => ({ type: "ReservationAbandoned", reservationId, reason });

/** Step 1: once paid, the reservation is saved and goes to the issue context. */
export function reserve(id: string, command: Reserve, paymentId: string, now: Date): Decision<Reservation, ReservationEvent> {
  const reservation: Reservation = { id, ...command, status: "Reserved", paymentId, ticketNumber: "", reservedAt: now, cancelReason: "", cancelRefusal: "" };
  return decide(reservation, { type: "Reserved", reservationId: id, ...command, paymentId });
}

/** A cancel request the issue context has not answered yet. */
export const cancelPending = (r: Reservation): boolean => r.cancelRequestedAt !== undefined && r.cancelRefusal === "" && r.status !== "Cancelled";

/**
 * Step 4: the customer asks to cancel. The issue context holds the voucher and decides against
 * check-in (ReservationCancelRequested); asking again while it decides, or once cancelled,
 * changes nothing. Nothing here calls payment: cancelling works while payment is down.
 */
export function requestCancel(r: Reservation, reason: string, now: Date): Outcome<Reservation, ReservationEvent> {
  if (r.status === "Cancelled" || cancelPending(r)) return decide(r);
  if (r.status === "CheckedIn") return refuse("ALREADY_CHECKED_IN", `reservation ${r.id} is already checked in; it can no longer be cancelled`);
  return decide({ ...r, cancelRequestedAt: now, cancelReason: reason, cancelRefusal: "" }, { type: "ReservationCancelRequested", reservationId: r.id, reason });
}

/** The issue context confirmed: the reservation is cancelled (ReservationCancelled: payment refunds). Twice changes nothing. */
export function confirmCancel(r: Reservation, reason: string, now: Date): Decision<Reservation, ReservationEvent> {
  if (r.status === "Cancelled") return decide(r);
  return decide({ ...r, status: "Cancelled", cancelledAt: now, cancelReason: reason, cancelRefusal: "" }, { type: "ReservationCancelled", reservationId: r.id, reason, cost: r.cost });
}

/** Check-in came first: the reservation stays, with the refusal for the customer to see. */
export function refuseCancel(r: Reservation, reason: string): Decision<Reservation, ReservationEvent> {
  if (r.status === "Cancelled" || r.cancelRefusal === reason) return decide(r);
  return decide({ ...r, cancelRefusal: reason });
}

const progress: Record<ReservationStatus, number> = { Reserved: 0, Confirmed: 1, CheckedIn: 2, Cancelled: 3 };

/** The status further along of two: reports arrive out of order and never move a reservation back. */
export function furtherStatus(current: ReservationStatus, reported: ReservationStatus): ReservationStatus {
  return further(progress, current, reported);
}

/** Step 2 and the stay: the voucher was issued (Confirmed, with its number) or used (CheckedIn). */
export function followVoucher(r: Reservation, reported: "Confirmed" | "CheckedIn", ticketNumber: string): Decision<Reservation> {
  const status = furtherStatus(r.status, reported);
  const number = r.ticketNumber || ticketNumber;
  return decide(status === r.status && number === r.ticketNumber ? r : { ...r, status, ticketNumber: number });
}
