import type { SystemTemplates, Template } from "../domain.js";
import { formatMoney } from "./format-money.js";

// The flower system's messages, one per status-changing event (systems.md, flower step 8).
// Fields are read structurally, so these stay free of generated protobuf code.

interface OrderFields { orderId: string; qty: number }
interface DeliveryFields { orderId: string }
type Money = { amount: bigint; currency: string };

const flowers = (qty: number) => `${qty} flower${qty === 1 ? "" : "s"}`;
const byOrder = <F extends { orderId: string }>(text: (f: F) => string): Template<F> => ({ correlationId: (f) => f.orderId, text });
const because = (reason: string) => (reason ? ` (${reason})` : "");

/** What flower customers are told, by event type; OrderPlaced carries the phone number every later message goes to. */
export const flowerTemplates: SystemTemplates = {
  "flower.order.OrderPlaced": {
    correlationId: (f: OrderFields & { phoneNumber: string }) => f.orderId,
    recipient: (f: OrderFields & { phoneNumber: string }) => f.phoneNumber,
    text: (f: OrderFields & { isOffline: boolean }) =>
      `Your order for ${flowers(f.qty)} is placed and paid.` + (f.isOffline ? " We will tell you when it is ready in the shop." : ""),
  },
  "flower.order.OrderCancelled": byOrder((f: OrderFields & { reason: string }) => `Your order for ${flowers(f.qty)} is cancelled${because(f.reason)}.`),
  "flower.store.OrderRejected": byOrder((f: OrderFields & { reason: string }) =>
    `Sorry, the shop could not take your order for ${flowers(f.qty)}${because(f.reason)}; it is cancelled and refunded.`),
  "flower.store.FlowerWrapped": byOrder((f: OrderFields) => `Your order for ${flowers(f.qty)} is wrapped and waits for the courier.`),
  "flower.store.FlowerSold": byOrder((f: OrderFields) => `Your order for ${flowers(f.qty)} was handed over in the shop. Enjoy!`),
  "flower.delivery.DeliveryStarted": byOrder((f: DeliveryFields & { address: string }) =>
    `Your flowers are on their way${f.address ? ` to ${f.address}` : ""}.`),
  "flower.delivery.DeliveryCompleted": byOrder((_: DeliveryFields) => "Your flowers were delivered."),
  "flower.delivery.DeliveryCanceled": byOrder((_: DeliveryFields) => "The delivery of your flowers is cancelled."),
  "payment.flower.PaymentCancelled": {
    correlationId: (f: { referenceId: string }) => f.referenceId,
    text: (f: { amount?: Money }) => `Your payment${f.amount ? ` of ${formatMoney(f.amount)}` : ""} was refunded.`,
  },
};
