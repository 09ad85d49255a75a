import { formatMoney } from "../../mesh/kernel/index.js";
import { tell } from "../notification/plug-in.js";
import {
  itemAnswers, ItemReserved, RentedItem, ReservationCancelled, ReservationCancelRequested, ReservationPaid, ReservationPaymentCancelled, ReservationRejected, Reserved, ReturnedItem,
} from "./events.js";

// What a renter is told on every status change of their reservation (keyed by the reservation).

/** Reserved carries the customer id every later message of the reservation goes to. */
export const rentalMessages = [
  tell(Reserved, (e) => `Your reservation of ${e.itemName} is taken; the item confirms it shortly.`, (e) => e.customerId),
  tell(ItemReserved, () => "The item is held for you: nobody else can reserve it."),
  tell(ReservationRejected, (e) => `Sorry, your reservation could not be kept (${e.reason}); it is cancelled and any payment refunded.`),
  tell(ReservationPaid, (e) => `Your reservation is paid${e.amount ? ` (${formatMoney(e.amount)})` : ""}.`),
  tell(ReservationPaymentCancelled, () => "Your payment was cancelled and refunded; the reservation stands unpaid."),
  tell(ReservationCancelRequested, () => "We asked the item manager to cancel your reservation."),
  tell(itemAnswers.CancelRefused, (e) => `Your reservation could not be cancelled (cancel refused: ${e.reason}).`),
  tell(ReservationCancelled, (e) => `Your reservation is cancelled (${e.reason})${e.wasPaid ? "; your payment is refunded" : ""}.`),
  tell(RentedItem, () => "The item is handed over to you. Enjoy!"),
  tell(ReturnedItem, () => "The item is returned. Thank you!"),
];
