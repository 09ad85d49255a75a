import { decide, on, policy, type Policy, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
import { ItemDeleted, itemAnswers, ItemRegistered, PaymentReleased, RentedItem, ReservationRejected, ReturnedItem } from "../events.js";
import { closeReservation, followRental, paymentCancelled, refuseCancel, type KnownItem, type Reservation, type ReservationEvent } from "./domain.js";

// Reactions of the reservation context to the item's events (inbound adapter).

/** The reservation context's policies. */
export function createReservationPolicies(reservations: Repository<Reservation, ReservationEvent>, knownItems: Repository<KnownItem>): Policy[] {
  const follow = (reported: "Renting" | "Returned") => async (event: ReceivedEvent, tx: Transaction) => {
    await reservations.apply(tx, event.businessKey, (r) => r && followRental(r, reported, new Date()));
  };
  return [
    // Step 3's other outcome: the item is held by another renter (or gone): cancelled, and refunded if paid.
    policy("closeReservationWhenRejected", on(ReservationRejected, async ({ message: m }, tx) => {
      await reservations.apply(tx, m.reservationNo, (r) => r && closeReservation(r, "Rejected", `rejected by the item: ${m.reason}`, new Date()));
    })),
    // Steps 4 and 9: the item answered the renter's cancel request.
    policy("followCancelAnswer",
      on(itemAnswers.CancelConfirmed, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && closeReservation(r, "Cancelled", r.cancelReason || m.reason || "cancelled by the renter", new Date()));
      }),
      on(itemAnswers.CancelRefused, async ({ message: m }, tx) => {
        await reservations.apply(tx, m.referenceId, (r) => r && refuseCancel(r, m.reason, new Date()));
      })),
    // Step 7: the item consented to cancelling a payment. CancelPayment records it at once; this
    // finishes it (cancelled, refunded from the outbox) when the process that asked died first.
    policy("cancelPaymentWhenItemReleasedIt", on(PaymentReleased, async ({ message: m }, tx) => {
      await reservations.apply(tx, m.reservationNo, (r) => r && paymentCancelled(r, m.paymentReference, "cancelled by the renter", new Date()));
    })),
    // Steps 8 and 10: the reservation shows renting, then returned.
    policy("followRentalWhenItemRentedOrReturned", on(RentedItem, follow("Renting")), on(ReturnedItem, follow("Returned"))),
    // What a reservation is checked against while the item service is down.
    policy("rememberItemWhenItemRegisteredOrDeleted",
      on(ItemRegistered, async ({ message: m }, tx) => {
        await knownItems.apply(tx, m.itemNo, (known) => decide({ id: m.itemNo, itemName: m.itemName, itemPrice: m.itemPrice ?? { amount: 0n, currency: "KRW" }, deleted: known?.deleted ?? false }));
      }),
      on(ItemDeleted, async ({ message: m }, tx) => {
        await knownItems.apply(tx, m.itemNo, (known) => decide({ id: m.itemNo, itemName: known?.itemName ?? "", itemPrice: known?.itemPrice ?? { amount: 0n, currency: "KRW" }, deleted: true }));
      })),
  ];
}
