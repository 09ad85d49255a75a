import assert from "node:assert/strict";
import { test } from "node:test";
import { advanceOrder, cancelOrder, checkStock, furtherStatus, isRefusal, placeOrder, priceOrder, type KnownFlower } from "./domain.js";

const rose: KnownFlower = { id: "1", name: "Rose", price: { amount: 5000n, currency: "KRW" }, stock: 3 };
const command = { flowerId: "1", qty: 2, address: "Seoul", phoneNumber: "010-1234-5678", isOffline: false };

test("short stock refuses the order with a reason a person can read", () => {
  assert.equal(checkStock(rose, 3), undefined);
  const r = checkStock(rose, 4);
  assert.equal(r?.code, "OUT_OF_STOCK");
  assert.match(r!.refused, /out of stock: 3 Rose left, 4 ordered/);
});

test("the price is the catalogue price times the quantity, in integer money", () => {
  assert.deepEqual(priceOrder(rose, 3), { amount: 15000n, currency: "KRW" });
});

test("placing a paid order produces OrderPlaced with every field the store and courier need", () => {
  const { order, events } = placeOrder("o1", command, rose, "p1", new Date(0));
  assert.equal(order.status, "Placed");
  assert.deepEqual(events, [{
    type: "OrderPlaced", orderId: "o1", flowerId: "1", qty: 2, address: "Seoul", phoneNumber: "010-1234-5678",
    isOffline: false, price: rose.price, amount: { amount: 10000n, currency: "KRW" }, paymentId: "p1",
  }]);
});

test("an order can be cancelled until it is delivered or sold, and cancelling twice changes nothing", () => {
  const { order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const cancelled = cancelOrder(order, "changed my mind", new Date(1));
  assert.ok(!isRefusal(cancelled));
  assert.equal(cancelled.order.status, "Cancelled");
  assert.deepEqual(cancelled.events.map((e) => e.type), ["OrderCancelled"]);
  const again = cancelOrder(cancelled.order, "again", new Date(2));
  assert.ok(!isRefusal(again) && again.events.length === 0);
  for (const status of ["Delivered", "Sold"] as const) {
    const refused = cancelOrder({ ...order, status }, "too late", new Date());
    assert.ok(isRefusal(refused), status);
  }
  assert.ok(!isRefusal(cancelOrder({ ...order, status: "DeliveryStarted" }, "still on the way", new Date())));
});

test("reports move an order forward only, and never revive a cancelled one", () => {
  const { order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const started = advanceOrder(order, "DeliveryStarted")!;
  assert.equal(started.status, "DeliveryStarted");
  assert.equal(advanceOrder(started, "Wrapped"), undefined);
  assert.equal(advanceOrder({ ...order, status: "Cancelled" }, "Delivered"), undefined);
  assert.equal(furtherStatus("Wrapped", "Placed"), "Wrapped");
});
