import { formatMoney } from "../../mesh/kernel/index.js";
import { tell } from "../notification/plug-in.js";
import { paymentEvents } from "../payment/events.js";
import { CancelledTicket, CheckedIn, issueAnswers, IssuedTicket, ReservationCancelled, Reserved } from "./events.js";

// What a resort customer is told on every status change of their reservation.

/** Reserved carries the customer every later message of the reservation goes to. */
export const resortMessages = [
  tell(Reserved, (e) => `Your reservation at ${e.resort} on ${e.date} (${e.persons} persons, ${e.rooms} rooms) is paid; your voucher follows.`, (e) => e.customerId),
  tell(IssuedTicket, (e) => `Your reservation is confirmed: voucher ${e.ticketNumber}.`),
  tell(CheckedIn, () => "You checked in. Enjoy your stay!"),
  tell(ReservationCancelled, (e) => `Your reservation is cancelled${e.reason ? ` (${e.reason})` : ""}.`),
  tell(CancelledTicket, (e) => `Voucher ${e.ticketNumber} is revoked.`),
  tell(issueAnswers.CancelRefused, (e) => `Your reservation could not be cancelled (${e.reason}).`),
  tell(paymentEvents("resort").PaymentCancelled, (e) => `Your payment${e.amount ? ` of ${formatMoney(e.amount)}` : ""} was refunded.`),
];
