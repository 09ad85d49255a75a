// The customer's cleaning request: applying, following what the paymethod and cleaning contexts
// report, and cancelling (the cleaner decides). Pure: decisions return the new state and events.
import { decide, further, refuse, type Decision, type Money, type Outcome } from "../../../mesh/kernel/index.js";

export type ReservationStatus = "ReservationApply" | "Paid" | "CleaningConfirmed" | "CleaningCompleted" | "ReservationCanceled";

export interface CleaningReservation {
  id: string;
  place: string;
  /** YYYY-MM-DD. */
  requestDate: string;
  price: Money;
  customerId: string;
  status: ReservationStatus;
  createdAt: Date;
  /** When the customer asked to cancel; the cleaner decides. */
  cancelRequestedAt?: Date;
  cancelReason: string;
  /** Why the cleaner refused ("the cleaning is already completed"); empty otherwise. */
  cancelRefusal: string;
  /** The reference of the payment attempt that paid: the id, or "<id>.<n>" for a retry; empty until paid. */
  paymentReference: string;
}

/** What the customer applies with. */
export type ApplyForCleaning = Pick<CleaningReservation, "place" | "requestDate" | "price" | "customerId">;

export type CleaningRequested = { type: "CleaningRequested"; requestId: string } & ApplyForCleaning;
/** The customer asked to cancel: the cleaning context answers with CancelConfirmed or CancelRefused. */
export type CleaningCancelRequested = { type: "CleaningCancelRequested"; requestId: string; reason: string };
/** A confirmed cancellation: payment refunds on it the first attempt (reference = the request id). */
export type CleaningRequestCanceled = { type: "CleaningRequestCanceled"; requestId: string; reason: string };
/** A later attempt that paid for a cancelled request: payment refunds that reference alone. */
export type CleaningPaymentVoided = { type: "CleaningPaymentVoided"; paymentReference: string; requestId: string; reason: string };
export type ReservationEvent = CleaningRequested | CleaningCancelRequested | CleaningRequestCanceled | CleaningPaymentVoided;

/** Whom messages go to when the customer names nobody. */
export const GUEST = "guest";

/** Step 1: the customer applies for a cleaning (ReservationApply). */
export function applyForCleaning(id: string, command: ApplyForCleaning, now: Date): Decision<CleaningReservation, ReservationEvent> {
  const reservation: CleaningReservation = { id, ...command, status: "ReservationApply", createdAt: now, cancelReason: "", cancelRefusal: "", paymentReference: "" };
  const { place, requestDate, price, customerId } = reservation;
  return decide(reservation, { type: "CleaningRequested", requestId: id, place, requestDate, price, customerId });
}

/** A cancel request the cleaner has not answered yet. */
export const cancelPending = (r: CleaningReservation): boolean => r.cancelRequestedAt !== undefined && r.cancelRefusal === "" && r.status !== "ReservationCanceled";

/**
 * Step 4: the customer asks to cancel a request not yet completed. Only the cleaner knows whether
 * the job is done, so it decides (CleaningCancelRequested); asking again meanwhile changes nothing.
 */
export function requestCancel(r: CleaningReservation, reason: string, now: Date): Outcome<CleaningReservation, ReservationEvent> {
  if (r.status === "ReservationCanceled" || cancelPending(r)) return decide(r);
  if (r.status === "CleaningCompleted") return refuse("CLEANING_COMPLETED", `cleaning request ${r.id} is already completed; it can no longer be cancelled`);
  return decide({ ...r, cancelRequestedAt: now, cancelReason: reason, cancelRefusal: "" }, { type: "CleaningCancelRequested", requestId: r.id, reason });
}

// CleaningRequestCanceled refunds the payment under the request's id; one a retry made (a
// reference of its own) must be voided by its own event.
const voided = (r: CleaningReservation, paymentReference: string, reason: string): CleaningPaymentVoided[] =>
  paymentReference && paymentReference !== r.id ? [{ type: "CleaningPaymentVoided", paymentReference, requestId: r.id, reason }] : [];

/** The cleaner confirmed: the request is cancelled once (CleaningRequestCanceled: the refund of the payment that paid follows). */
export function confirmCancel(r: CleaningReservation, reason: string): Decision<CleaningReservation, ReservationEvent> {
  if (r.status === "ReservationCanceled") return decide(r);
  return decide<CleaningReservation, ReservationEvent>({ ...r, status: "ReservationCanceled", cancelReason: reason, cancelRefusal: "" },
    { type: "CleaningRequestCanceled", requestId: r.id, reason }, ...voided(r, r.paymentReference, reason));
}

/**
 * Step 2 reported (KindRegistered): paid, under `paymentReference`. A request cancelled before
 * the report (the cancel won the race) stays cancelled, and that payment is refunded too.
 */
export function recordPayment(r: CleaningReservation, paymentReference: string): Decision<CleaningReservation, ReservationEvent> {
  if (r.paymentReference === paymentReference) return decide(r);
  if (r.status === "ReservationCanceled") return decide({ ...r, paymentReference }, ...voided(r, paymentReference, r.cancelReason || "cleaning request cancelled"));
  return decide({ ...r, paymentReference, status: furtherStatus(r.status, "Paid") });
}

/** The cleaner finished first: the request stays as reported, with the refusal to read. */
export function refuseCancel(r: CleaningReservation, reason: string): Decision<CleaningReservation, ReservationEvent> {
  if (r.status === "ReservationCanceled" || r.cancelRefusal === reason) return decide(r);
  return decide({ ...r, cancelRefusal: reason });
}

/** How far each status is along the request's way; a report never moves a request back. */
const progress: Record<ReservationStatus, number> = { ReservationApply: 0, Paid: 1, CleaningConfirmed: 2, CleaningCompleted: 3, ReservationCanceled: 4 };

/** The status further along of two: reports arrive out of order. */
export function furtherStatus(current: ReservationStatus, reported: ReservationStatus): ReservationStatus {
  return further(progress, current, reported);
}

/** Step 3: scheduled, completed, as the cleaner reports. */
export function advanceReservation(r: CleaningReservation, reported: "CleaningConfirmed" | "CleaningCompleted"): Decision<CleaningReservation, ReservationEvent> {
  const status = furtherStatus(r.status, reported);
  return decide(status === r.status ? r : { ...r, status });
}
