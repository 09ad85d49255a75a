import { on, policy, RetryLaterError, type Policy, type Repository, type Transaction } from "../../../mesh/index.js";
import { ReservationCancelRequested, ReservationPaid, ReservationPaymentCancelled, Reserved } from "../events.js";
import { attemptOf, decideCancel, notePayment, notePaymentCancelled, receiveReservation, type Hold, type ItemDecision, type ItemEvent, type Item, type ReservationRef } from "./domain.js";
import { recordDecision } from "./tables.js";

// Reactions of the item context to the reservation context's events (inbound adapter).

/** Creates the item context's policies (the view's projection lives in view.ts). */
export function createItemPolicies(items: Repository<Item, ItemEvent>, holds: Repository<Hold, ItemEvent>): Policy[] {
  // Item first, then its hold of the reservation: the same order as the RPCs, so they never deadlock.
  const decideOnBoth = async (tx: Transaction, ref: ReservationRef, decide: (hold: Hold | undefined, item: Item | undefined) => ItemDecision) => {
    const item = await items.find(ref.itemNo, { tx, lock: true });
    const hold = await holds.find(ref.reservationNo, { tx, lock: true });
    await recordDecision(tx, decide(hold, item), { item, hold });
  };
  const notePaid = (note: typeof notePayment) => async (m: { reservationNo: string; paymentReference: string }, tx: Transaction) => {
    const { reservationNo } = m;
    const noted = await holds.apply(tx, reservationNo, (hold) => hold && note(hold, attemptOf(reservationNo, m.paymentReference), new Date()));
    // Reserved comes first on the same consumer; should payment's news overtake it, wait for it.
    if (!noted) throw new RetryLaterError(`reservation ${reservationNo} has not reached the item yet`, 500);
  };
  return [
    // Steps 3 and 5: the item is the authority on who holds it.
    policy("holdItemWhenReserved",
      on(Reserved, ({ message: m }, tx) => decideOnBoth(tx, m, (hold, item) => receiveReservation(m, hold, item, new Date()))),
      on(ReservationPaid, ({ message: m }, tx) => notePaid(notePayment)(m, tx)),
      // Released already when the item consented (ReleasePayment); noted again, which changes nothing.
      on(ReservationPaymentCancelled, ({ message: m }, tx) => notePaid(notePaymentCancelled)(m, tx))),
    // Steps 4 and 9: the item decides the renter's cancel request against renting out.
    policy("decideCancelWhenReservationCancelRequested", on(ReservationCancelRequested, ({ message: m }, tx) =>
      decideOnBoth(tx, m, (hold, item) => decideCancel(m, hold, item, new Date())))),
  ];
}
