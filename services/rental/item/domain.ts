// The item manager's side of the rental market: items, which reservation holds each, renting
// out and taking back, and the answer to a renter's cancel request. The item is the authority on
// who holds it. Pure: decisions return the new state and the events to publish.
import { cancelConfirmed, cancelRefused, decide, idOfPaymentReference, paymentAttemptOf, paymentReferenceOf, refuse, type CancelAnswer, type Decision, type Money, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export type ItemStatus = "Rentable" | "NotRentable";
export type RentalStatus = "NotRenting" | "Renting" | "Returned";
export const itemStatuses: readonly ItemStatus[] = ["Rentable", "NotRentable"];

export interface Item {
  id: string;
  itemName: string;
  itemPrice: Money;
  itemStatus: ItemStatus;
  rentalStatus: RentalStatus;
  /** The reservation holding the item; empty when none does. */
  reservationNo: string;
  registeredAt: Date;
  updatedAt: Date;
  /** A deleted item stays as a tombstone, so that a late reservation of it is rejected. */
  deletedAt?: Date;
}

/**
 * What the item decided about one reservation (a tombstone when cancelled before it arrived;
 * Awaiting when its payment was released before it arrived, which it keeps on arrival).
 */
export type HoldStatus = "Awaiting" | "Held" | "Rejected" | "Cancelled" | "Rented" | "Returned";

export interface Hold {
  reservationNo: string;
  itemNo: string;
  status: HoldStatus;
  /** Paid, as the reservation's events report: an unpaid reservation is not rented out. */
  paid: boolean;
  /** The payment attempt `paid` is about (1 for the reservation id, n for "<id>.<n>"); 0 before any. */
  paidAttempt: number;
  /** The latest payment attempt the item released for a cancellation: it and earlier ones never make the hold paid again. */
  releasedAttempt: number;
  updatedAt: Date;
}

export type ItemEvent =
  | { type: "ItemRegistered"; itemNo: string; itemName: string; itemPrice: Money }
  | { type: "ItemDeleted"; itemNo: string }
  | { type: "ItemReserved"; itemNo: string; reservationNo: string }
  | { type: "PaymentReleased"; itemNo: string; reservationNo: string; paymentReference: string }
  | { type: "ReservationRejected"; reservationNo: string; itemNo: string; reason: string }
  | { type: "RentedItem"; itemNo: string; reservationNo: string }
  | { type: "ReturnedItem"; itemNo: string; reservationNo: string }
  | CancelAnswer;

/** A decision over both of the item context's aggregates: the item and its hold of one reservation. */
export interface ItemDecision {
  item?: Item;
  hold?: Hold;
  events: ItemEvent[];
}

/** A reservation as it reaches the item (Reserved), or a cancel request (ReservationCancelRequested). */
export interface ReservationRef {
  reservationNo: string;
  itemNo: string;
}

/** A hold that has heard of no payment. */
const unpaid = { paid: false, paidAttempt: 0, releasedAttempt: 0 } as const;
/** What a hold knows of the payments (an Awaiting one's, kept when its reservation arrives). */
const paymentOf = (hold: Hold | undefined) => (hold ? { paid: hold.paid, paidAttempt: hold.paidAttempt, releasedAttempt: hold.releasedAttempt } : unpaid);

/** Step 1: a new item is Rentable and NotRenting. */
export function registerItem(id: string, command: { itemName: string; itemPrice: Money }, now: Date): Decision<Item, ItemEvent> {
  const item: Item = { id, ...command, itemStatus: "Rentable", rentalStatus: "NotRenting", reservationNo: "", registeredAt: now, updatedAt: now };
  return decide(item, { type: "ItemRegistered", itemNo: id, itemName: item.itemName, itemPrice: item.itemPrice });
}

/** Step 2: deleting is refused while a reservation holds the item or it is rented out. */
export function deleteItem(item: Item, now: Date): Outcome<Item, ItemEvent> {
  if (item.rentalStatus === "Renting") return refuse("ITEM_RENTED", `item ${item.id} is rented out (reservation ${item.reservationNo}); take it back first`);
  if (item.reservationNo !== "") return refuse("ITEM_RESERVED", `item ${item.id} is reserved (reservation ${item.reservationNo}); it cannot be deleted until that is cancelled`);
  return decide({ ...item, deletedAt: now, updatedAt: now }, { type: "ItemDeleted", itemNo: item.id });
}

/**
 * Steps 3 and 5: a reservation reaches the item, which is the authority on who holds it. A free
 * item is held by it and becomes NotRentable; one already held (a second renter), deleted or
 * unknown rejects it (ReservationRejected: the reservation is cancelled and refunded). A reservation
 * already decided on (or cancelled before it arrived) changes nothing; one whose payment was released
 * before it arrived (Awaiting) keeps what was released.
 */
export function receiveReservation(incoming: ReservationRef, hold: Hold | undefined, item: Item | undefined, now: Date): ItemDecision {
  if (hold && hold.status !== "Awaiting") return { events: [] };
  const { reservationNo, itemNo } = incoming;
  const payment = paymentOf(hold);
  const reject = (reason: string): ItemDecision => ({
    hold: { reservationNo, itemNo, status: "Rejected", ...payment, updatedAt: now }, events: [{ type: "ReservationRejected", reservationNo, itemNo, reason }],
  });
  if (!item) return reject(`item ${itemNo} does not exist`);
  if (item.deletedAt) return reject(`item ${itemNo} was deleted`);
  if (item.reservationNo !== "") return reject(`item ${itemNo} is already reserved by another renter`);
  return {
    item: { ...item, itemStatus: "NotRentable", reservationNo, updatedAt: now },
    hold: { reservationNo, itemNo, status: "Held", ...payment, updatedAt: now },
    events: [{ type: "ItemReserved", itemNo, reservationNo }],
  };
}

/** The attempt a payment reference stands for: the reservation id is the first, "<id>.<n>" the n-th. */
export function attemptOf(reservationNo: string, paymentReference: string): number {
  return idOfPaymentReference(paymentReference) === reservationNo ? paymentAttemptOf(paymentReference) : 1;
}

/**
 * The reservation's payment as it reports it (ReservationPaid). A payment the item already
 * released for a cancellation (its news overtaken by the cancellation) never counts: attempts only
 * grow, so the news may come in any order.
 */
export function notePayment(hold: Hold, attempt: number, now: Date): Decision<Hold, ItemEvent> {
  if (attempt <= hold.releasedAttempt || (hold.paid && attempt <= hold.paidAttempt)) return decide(hold);
  return decide({ ...hold, paid: true, paidAttempt: attempt, updatedAt: now });
}

/** The hold after a cancellation of payment `attempt`: unpaid unless a later attempt paid it. */
function released(hold: Hold, attempt: number, now: Date): Hold {
  const releasedAttempt = Math.max(hold.releasedAttempt, attempt);
  const paid = hold.paid && hold.paidAttempt > releasedAttempt;
  return paid === hold.paid && releasedAttempt === hold.releasedAttempt ? hold : { ...hold, paid, releasedAttempt, updatedAt: now };
}

/** The reservation reports a cancelled payment (ReservationPaymentCancelled): as released, again. */
export function notePaymentCancelled(hold: Hold, attempt: number, now: Date): Decision<Hold, ItemEvent> {
  return decide(released(hold, attempt, now));
}

/**
 * Step 7: the renter cancels the payment. The item decides it against renting out, in the same
 * transaction order: rented out to that reservation already, refused; otherwise the hold is unpaid,
 * so renting out waits for a new payment. Releasing twice changes nothing.
 */
export function releasePayment(request: ReservationRef, attempt: number, hold: Hold | undefined, now: Date): ItemDecision | Refusal {
  const { reservationNo, itemNo } = request;
  // Announced every time (the reservation applies it once): should the asking process die before it records the cancel, this finishes it.
  const events: ItemEvent[] = [{ type: "PaymentReleased", itemNo, reservationNo, paymentReference: paymentReferenceOf(reservationNo, attempt) }];
  // Its reservation is on its way: the release waits for it, so a late ReservationPaid of this attempt never counts.
  if (!hold) return { hold: released({ reservationNo, itemNo, status: "Awaiting", ...unpaid, updatedAt: now }, attempt, now), events };
  if (hold.status === "Rented" || hold.status === "Returned") {
    return refuse("ALREADY_RENTED", `already rented out${hold.status === "Returned" ? " and returned" : ""}: the payment of reservation ${reservationNo} can no longer be cancelled`);
  }
  const after = released(hold, attempt, now);
  return { hold: after === hold ? undefined : after, events };
}

const heldBy = (item: Item, reservationNo: string, hold: Hold | undefined): Refusal | undefined => {
  if (item.reservationNo === reservationNo && hold) return undefined;
  const why = hold?.status === "Cancelled" ? "was cancelled" : hold?.status === "Rejected" ? "was rejected"
    : hold && hold.status !== "Awaiting" ? `is ${hold.status.toLowerCase()}` : "is not known to the item (yet)";
  return refuse("NOT_HELD", `item ${item.id} is not held by reservation ${reservationNo}: the reservation ${why}`);
};

/**
 * Step 8: the manager rents the item out to the paid reservation holding it. Decided in the
 * item's transaction against the renter's cancellation: whichever comes first wins.
 */
export function rentOut(item: Item, reservationNo: string, hold: Hold | undefined, now: Date): ItemDecision | Refusal {
  if (item.rentalStatus === "Renting") {
    if (item.reservationNo === reservationNo) return { events: [] };
    return refuse("ITEM_RENTED", `item ${item.id} is rented out to reservation ${item.reservationNo}`);
  }
  if (reservationNo === "") return refuse("NOT_RESERVED", `item ${item.id} is not reserved; there is nobody to rent it out to`);
  const notHeld = heldBy(item, reservationNo, hold);
  if (notHeld) return notHeld;
  if (!hold!.paid) return refuse("NOT_PAID", `reservation ${reservationNo} is not paid yet`);
  return {
    item: { ...item, itemStatus: "NotRentable", rentalStatus: "Renting", updatedAt: now },
    hold: { ...hold!, status: "Rented", updatedAt: now },
    events: [{ type: "RentedItem", itemNo: item.id, reservationNo }],
  };
}

/** Step 10: the item comes back: Rentable again, Returned, held by nobody. */
export function returnItem(item: Item, reservationNo: string, hold: Hold | undefined, now: Date): ItemDecision | Refusal {
  if (item.rentalStatus !== "Renting") {
    if (item.rentalStatus === "Returned" && (reservationNo === "" || hold?.status === "Returned")) return { events: [] };
    return refuse("NOT_RENTED", `item ${item.id} is not rented out; there is nothing to take back`);
  }
  if (reservationNo !== "" && reservationNo !== item.reservationNo) return refuse("NOT_HELD", `item ${item.id} is rented out to reservation ${item.reservationNo}, not ${reservationNo}`);
  return {
    item: { ...item, itemStatus: "Rentable", rentalStatus: "Returned", reservationNo: "", updatedAt: now },
    hold: hold && { ...hold, status: "Returned", updatedAt: now },
    events: [{ type: "ReturnedItem", itemNo: item.id, reservationNo: item.reservationNo }],
  };
}

/**
 * Steps 4 and 9: the renter asks to cancel. The item holds what is rented, so it decides: rented
 * out already, refused; otherwise released (Rentable again) and confirmed. A request that overtook
 * its reservation leaves a tombstone, so that the late reservation is not taken.
 */
export function decideCancel(request: ReservationRef & { reason: string }, hold: Hold | undefined, item: Item | undefined, now: Date): ItemDecision {
  const { reservationNo, itemNo, reason } = request;
  const confirmed = cancelConfirmed(reservationNo, reason);
  if (!hold || hold.status === "Awaiting") return { hold: { reservationNo, itemNo, status: "Cancelled", ...paymentOf(hold), updatedAt: now }, events: [confirmed] };
  if (hold.status === "Rented" || hold.status === "Returned") {
    return { events: [cancelRefused(reservationNo, refuse("ALREADY_RENTED", `already rented out${hold.status === "Returned" ? " and returned" : ""}`))] };
  }
  if (hold.status !== "Held") return { events: hold.status === "Rejected" ? [confirmed] : [] };
  const released = item && item.reservationNo === reservationNo ? { ...item, itemStatus: "Rentable" as const, reservationNo: "", updatedAt: now } : undefined;
  return { item: released, hold: { ...hold, status: "Cancelled", updatedAt: now }, events: [confirmed] };
}
