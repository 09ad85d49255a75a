import { formatMoney } from "../../mesh/kernel/index.js";
import { tell } from "../notification/plug-in.js";
import { paymentEvents } from "../payment/events.js";
import { OrderCanceled, Ordered, productAnswers, Produced, ProductionRejected, ProductionStarted } from "./events.js";

// What a coffee customer is told on every status change of their order.

const cups = (qty: number, productName: string) => `${qty} ${productName}${qty === 1 ? "" : "s"}`;

/** Ordered carries the customer every later message of the order goes to. */
export const coffeeMessages = [
  tell(Ordered, (e) => `Your order for ${cups(e.qty, e.productName)} is paid and sent to the kitchen.`, (e) => e.customerId),
  tell(ProductionStarted, (e) => `The barista started your ${cups(e.qty, e.productName)}.`),
  tell(Produced, (e) => `Your ${cups(e.qty, e.productName)} ${e.qty === 1 ? "is" : "are"} ready. Enjoy!`),
  tell(ProductionRejected, (e) => `Sorry, the kitchen cannot make your ${cups(e.qty, e.productName)} (${e.reason}); the order is cancelled and refunded.`),
  tell(OrderCanceled, (e) => `Your order for ${cups(e.qty, e.productName)} is cancelled (${e.reason}).`),
  tell(productAnswers.CancelRefused, (e) => `Your order could not be cancelled: ${e.reason}.`),
  tell(paymentEvents("coffee").PaymentCancelled, (e) => `Your payment${e.amount ? ` of ${formatMoney(e.amount)}` : ""} was refunded.`),
];
