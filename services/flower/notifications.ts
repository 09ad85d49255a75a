import { formatMoney } from "../../mesh/kernel/index.js";
import { tell } from "../notification/plug-in.js";
import { paymentEvents } from "../payment/events.js";
import {
  deliveryAnswers, DeliveryCanceled, DeliveryCompleted, DeliveryStarted, FlowerSold, FlowerWrapped, OrderCancelled, OrderPlaced, OrderRejected, storeAnswers,
} from "./events.js";

// What a flower customer is told on every status change of their order (systems.md, flower step 8).

const flowers = (qty: number) => `${qty} flower${qty === 1 ? "" : "s"}`;
const because = (reason: string) => (reason ? ` (${reason})` : "");

/** OrderPlaced carries the phone number every later message of the order goes to. */
export const flowerMessages = [
  tell(OrderPlaced, (e) => `Your order for ${flowers(e.qty)} is placed and paid.` + (e.isOffline ? " We will tell you when it is ready in the shop." : ""), (e) => e.phoneNumber),
  tell(OrderCancelled, (e) => `Your order for ${flowers(e.qty)} is cancelled${because(e.reason)}.`),
  tell(OrderRejected, (e) => `Sorry, the shop could not take your order for ${flowers(e.qty)}${because(e.reason)}; it is cancelled and refunded.`),
  tell(FlowerWrapped, (e) => `Your order for ${flowers(e.qty)} is wrapped and waits for the courier.`),
  tell(FlowerSold, (e) => `Your order for ${flowers(e.qty)} was handed over in the shop. Enjoy!`),
  tell(DeliveryStarted, (e) => `Your flowers are on their way${e.address ? ` to ${e.address}` : ""}.`),
  tell(DeliveryCompleted, () => "Your flowers were delivered."),
  tell(DeliveryCanceled, () => "The delivery of your flowers is cancelled."),
  ...[storeAnswers, deliveryAnswers].map((answers) => tell(answers.CancelRefused, (e) => `Your order could not be cancelled (cancel refused: ${e.reason}).`)),
  tell(paymentEvents("flower").PaymentCancelled, (e) => `Your payment${e.amount ? ` of ${formatMoney(e.amount)}` : ""} was refunded.`),
];
