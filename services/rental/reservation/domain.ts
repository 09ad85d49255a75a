// The renter's reservation: taking it (even while the item service is down), paying for it,
// cancelling the payment or the reservation, and following what the item reports. Pure.
import { decide, idOfPaymentReference, paymentReferenceOf, refuse, type Decision, type Money, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export type ReservationStatus = "Reserved" | "Cancelled" | "Rejected";
export type PaymentStatus = "NotPaid" | "Paid" | "Refunded";
export type RentalStatus = "NotRenting" | "Renting" | "Returned";

export interface Reservation {
  id: string;
  customerName: string;
  customerId: string;
  itemNo: string;
  itemName: string;
  itemPrice: Money;
  reservationStatus: ReservationStatus;
  paymentStatus: PaymentStatus;
  rentalStatus: RentalStatus;
  paymentId: string;
  /** The payment's reference at payment: the reservation id, or "<id>.<attempt>" for a retry. */
  paymentReference: string;
  /** How many payments were started: each attempt has its own reference, so a lost one can be voided alone. */
  payAttempts: number;
  reservedAt: Date;
  cancelRequestedAt?: Date;
  cancelReason: string;
  cancelRefusal: string;
  updatedAt: Date;
}

/** What the reservation context knows of an item, from the item's events. */
export interface KnownItem {
  id: string;
  itemName: string;
  itemPrice: Money;
  deleted: boolean;
}

/** What the renter asks for. */
export type Reserve = Pick<Reservation, "customerName" | "customerId" | "itemNo">;

export type ReservationEvent =
  | { type: "Reserved"; reservationNo: string; itemNo: string; itemName: string; itemPrice: Money; customerId: string; customerName: string }
  | { type: "ReservationCancelRequested"; reservationNo: string; itemNo: string; reason: string }
  | { type: "ReservationCancelled"; reservationNo: string; itemNo: string; reason: string; wasPaid: boolean }
  | { type: "ReservationPaid"; reservationNo: string; itemNo: string; amount: Money; paymentId: string; paymentReference: string }
  | { type: "ReservationPaymentCancelled"; reservationNo: string; itemNo: string; reason: string; paymentReference: string }
  | { type: "ReservationPaymentVoided"; paymentReference: string; reservationNo: string; reason: string };

/** Step 3: a deleted item is refused at once; the item decides the rest when the reservation reaches it. */
export function checkReservable(item: KnownItem): Refusal | undefined {
  return item.deleted ? refuse("ITEM_DELETED", `item ${item.id} was deleted`) : undefined;
}

/** Step 3: the reservation is taken (Reserved), unpaid and not yet rented. */
export function reserve(id: string, command: Reserve, item: KnownItem, now: Date): Decision<Reservation, ReservationEvent> {
  const reservation: Reservation = {
    id, ...command, itemName: item.itemName, itemPrice: item.itemPrice, reservationStatus: "Reserved", paymentStatus: "NotPaid", rentalStatus: "NotRenting",
    paymentId: "", paymentReference: "", payAttempts: 0, reservedAt: now, cancelReason: "", cancelRefusal: "", updatedAt: now,
  };
  const { itemNo, itemName, itemPrice, customerId, customerName } = reservation;
  return decide(reservation, { type: "Reserved", reservationNo: id, itemNo, itemName, itemPrice, customerId, customerName });
}

/** A cancel request the item has not answered yet. */
export const cancelPending = (r: Reservation): boolean => r.cancelRequestedAt !== undefined && r.cancelRefusal === "" && r.reservationStatus === "Reserved";

function open(r: Reservation): Refusal | undefined {
  if (r.reservationStatus !== "Reserved") return refuse(`RESERVATION_${r.reservationStatus.toUpperCase()}`, `reservation ${r.id} is ${r.reservationStatus.toLowerCase()}${r.cancelReason ? ` (${r.cancelReason})` : ""}`);
  if (cancelPending(r)) return refuse("CANCEL_PENDING", `reservation ${r.id} is being cancelled`);
  return undefined;
}

/** Each payment attempt of a reservation pays under its own reference (the kernel's rule): the reservation's id first, then "<id>.<n>". */
export { paymentReferenceOf };

/** Step 6: a payment attempt starts (a new reference); refused unless the reservation is open and unpaid. */
export function startPayment(r: Reservation, now: Date): Outcome<Reservation, ReservationEvent> {
  const closed = open(r);
  if (closed) return closed;
  if (r.paymentStatus === "Paid") return refuse("ALREADY_PAID", `reservation ${r.id} is already paid`);
  return decide({ ...r, payAttempts: r.payAttempts + 1, updatedAt: now });
}

/** Step 6: payment approved: Paid (ReservationPaid). Refused when the reservation closed or was paid meanwhile; the payment is then voided. */
export function recordPayment(r: Reservation, paymentReference: string, paymentId: string, now: Date): Outcome<Reservation, ReservationEvent> {
  if (r.paymentStatus === "Paid" && r.paymentReference === paymentReference) return decide(r);
  const closed = open(r);
  if (closed) return closed;
  if (r.paymentStatus === "Paid") return refuse("ALREADY_PAID", `reservation ${r.id} was paid meanwhile; this payment is refunded`);
  return decide({ ...r, paymentStatus: "Paid", paymentId, paymentReference, updatedAt: now },
    { type: "ReservationPaid", reservationNo: r.id, itemNo: r.itemNo, amount: r.itemPrice, paymentId, paymentReference });
}

/** Step 7: the payment can be cancelled while the reservation is open and not known to be rented out; the item then decides. */
export function checkPaymentCancellable(r: Reservation): Refusal | undefined {
  if (r.paymentStatus !== "Paid") return refuse("NOT_PAID", `reservation ${r.id} is not paid; there is nothing to cancel`);
  if (r.rentalStatus !== "NotRenting") return refuse("ALREADY_RENTED", `the item of reservation ${r.id} is already rented out; its payment can no longer be cancelled`);
  return open(r);
}

/**
 * Step 7, once the item consented (it is not rented out on this payment): NotPaid again
 * (ReservationPaymentCancelled), and the attempt voided by its own reference, so payment refunds it
 * from the outbox even while it is down. It may be paid again (a new attempt). Twice changes nothing.
 */
export function paymentCancelled(r: Reservation, paymentReference: string, reason: string, now: Date): Decision<Reservation, ReservationEvent> {
  if (r.paymentStatus !== "Paid" || r.paymentReference !== paymentReference) return decide(r);
  return decide({ ...r, paymentStatus: "NotPaid", paymentId: "", paymentReference: "", updatedAt: now },
    { type: "ReservationPaymentCancelled", reservationNo: r.id, itemNo: r.itemNo, reason, paymentReference },
    voidPayment(paymentReference, reason));
}

/** A payment attempt that must be refunded on its own (lost answer, too late, or a retry outliving its reservation). */
export const voidPayment = (paymentReference: string, reason: string): ReservationEvent =>
  ({ type: "ReservationPaymentVoided", paymentReference, reservationNo: idOfPaymentReference(paymentReference), reason });

/**
 * Steps 4 and 9: the renter asks to cancel, until the item is rented out. The item holds what is
 * rented, so it decides (ReservationCancelRequested); asking again meanwhile, or once cancelled,
 * changes nothing.
 */
export function requestCancel(r: Reservation, reason: string, now: Date): Outcome<Reservation, ReservationEvent> {
  if (r.reservationStatus !== "Reserved" || cancelPending(r)) return decide(r);
  if (r.rentalStatus !== "NotRenting") return refuse("ALREADY_RENTED", `reservation ${r.id} is already rented out; it can no longer be cancelled`);
  return decide({ ...r, cancelRequestedAt: now, cancelReason: reason, cancelRefusal: "", updatedAt: now },
    { type: "ReservationCancelRequested", reservationNo: r.id, itemNo: r.itemNo, reason });
}

/**
 * The item confirmed the cancellation, or rejected the reservation: it is closed
 * (ReservationCancelled, payment refunds it); a payment made by a retry is voided by its own
 * reference. Closing twice changes nothing.
 */
export function closeReservation(r: Reservation, status: "Cancelled" | "Rejected", reason: string, now: Date): Decision<Reservation, ReservationEvent> {
  if (r.reservationStatus !== "Reserved") return decide(r);
  const wasPaid = r.paymentStatus === "Paid";
  const events: ReservationEvent[] = [{ type: "ReservationCancelled", reservationNo: r.id, itemNo: r.itemNo, reason, wasPaid }];
  if (wasPaid && r.paymentReference !== r.id) events.push(voidPayment(r.paymentReference, reason));
  return decide({ ...r, reservationStatus: status, paymentStatus: wasPaid ? "Refunded" : r.paymentStatus, cancelReason: reason, cancelRefusal: "", updatedAt: now }, ...events);
}

/** Renting out came first: the reservation stays, with the refusal for the renter to see. */
export function refuseCancel(r: Reservation, reason: string, now: Date): Decision<Reservation, ReservationEvent> {
  if (r.reservationStatus !== "Reserved" || r.cancelRefusal === reason) return decide(r);
  return decide({ ...r, cancelRefusal: reason, updatedAt: now });
}

const progress: Record<RentalStatus, number> = { NotRenting: 0, Renting: 1, Returned: 2 };

/** Steps 8 and 10: the reservation follows the item's reports; a late report never moves it back. */
export function followRental(r: Reservation, reported: "Renting" | "Returned", now: Date): Decision<Reservation, ReservationEvent> {
  if (progress[reported] <= progress[r.rentalStatus]) return decide(r);
  return decide({ ...r, rentalStatus: reported, updatedAt: now });
}
