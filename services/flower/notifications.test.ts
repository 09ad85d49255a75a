// What flower customers read: every message rendered from the event it is registered for.
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { EventType } from "../../mesh/index.js";
import { paymentEvents } from "../payment/events.js";
import * as flower from "./events.js";
import { flowerMessages } from "./notifications.js";

function render<T extends EventType>(type: T, fields: MessageInitShape<T["schema"]>): { text: string; recipient?: string } {
  const m = flowerMessages.find((x) => x.event.subject === type.subject);
  assert.ok(m, `a message for ${type.subject}`);
  const message = create(type.schema, fields);
  return { text: m.text(message), recipient: m.recipient?.(message) };
}

test("OrderPlaced tells the customer the order is placed and paid, and names the phone the rest go to", () => {
  assert.deepEqual(render(flower.OrderPlaced, { orderId: "o-1", qty: 3, phoneNumber: "010-1234-5678" }),
    { text: "Your order for 3 flowers is placed and paid.", recipient: "010-1234-5678" });
  assert.match(render(flower.OrderPlaced, { orderId: "o-1", qty: 1, phoneNumber: "1", isOffline: true }).text, /for 1 flower is placed and paid\. We will tell you when it is ready/);
});

test("every later status change of an order has its message, and names no recipient of its own", () => {
  const cases: Array<[string, { text: string; recipient?: string }, RegExp]> = [
    ["OrderCancelled", render(flower.OrderCancelled, { orderId: "o-1", qty: 2, reason: "changed my mind" }), /cancelled \(changed my mind\)/],
    ["OrderRejected", render(flower.OrderRejected, { orderId: "o-1", qty: 2, reason: "out of stock" }), /could not take .*out of stock.*refunded/],
    ["FlowerWrapped", render(flower.FlowerWrapped, { orderId: "o-1", qty: 2 }), /wrapped/],
    ["FlowerSold", render(flower.FlowerSold, { orderId: "o-1", qty: 2 }), /handed over/],
    ["DeliveryStarted", render(flower.DeliveryStarted, { deliveryId: "d-1", orderId: "o-1", address: "Seoul" }), /on their way to Seoul/],
    ["DeliveryCompleted", render(flower.DeliveryCompleted, { deliveryId: "d-1", orderId: "o-1" }), /delivered/],
    ["DeliveryCanceled", render(flower.DeliveryCanceled, { deliveryId: "d-1", orderId: "o-1" }), /delivery .* cancelled/],
    ["store's CancelRefused", render(flower.storeAnswers.CancelRefused, { referenceId: "o-1", code: "ALREADY_SOLD", reason: "already handed over in the store" }), /could not be cancelled \(cancel refused: already handed over in the store\)/],
    ["courier's CancelRefused", render(flower.deliveryAnswers.CancelRefused, { referenceId: "o-1", code: "ALREADY_DELIVERED", reason: "already delivered" }), /cancel refused: already delivered/],
    ["PaymentCancelled", render(paymentEvents("flower").PaymentCancelled, { referenceId: "o-1", amount: { amount: 36_000n, currency: "KRW" } }), /36,000 KRW was refunded/],
  ];
  for (const [name, rendered, text] of cases) {
    assert.match(rendered.text, text, name);
    assert.equal(rendered.recipient, undefined, name);
  }
});

test("a catalogue change tells the customer nothing", () => {
  assert.equal(flowerMessages.some((m) => m.event.subject === flower.StockChanged.subject), false);
});
