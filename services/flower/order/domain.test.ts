import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { advanceOrder, cancelPending, checkStock, confirmCancel, furtherStatus, placeOrder, priceOrder, refuseCancel, requestCancel, type KnownFlower } from "./domain.js";

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
  const { state, events } = placeOrder("o1", command, rose, "p1", new Date(0));
  assert.equal(state.status, "Placed");
  assert.deepEqual(events, [{
    type: "OrderPlaced", orderId: "o1", flowerId: "1", qty: 2, address: "Seoul", phoneNumber: "010-1234-5678",
    isOffline: false, price: rose.price, amount: { amount: 10000n, currency: "KRW" }, paymentId: "p1",
  }]);
});

test("cancelling is a request until the store or the courier answers; asking twice changes nothing", () => {
  const { state: order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const requested = requestCancel(order, "changed my mind", new Date(1));
  assert.ok(!isRefusal(requested));
  assert.equal(requested.state.status, "Placed", "still as reported: nobody has confirmed yet");
  assert.ok(cancelPending(requested.state));
  assert.deepEqual(requested.events, [{ type: "OrderCancelRequested", orderId: "o1", flowerId: "1", qty: 2, isOffline: false, reason: "changed my mind" }]);
  const again = requestCancel(requested.state, "again", new Date(2));
  assert.ok(!isRefusal(again) && again.events.length === 0 && again.state === requested.state, "unchanged: nothing to write");
  for (const status of ["Delivered", "Sold"] as const) {
    const refused = requestCancel({ ...order, status }, "too late", new Date());
    assert.ok(isRefusal(refused) && refused.code === `ORDER_${status.toUpperCase()}`, status);
  }
  assert.ok(!isRefusal(requestCancel({ ...order, status: "DeliveryStarted" }, "still on the way", new Date())));
});

test("a confirmed cancellation cancels the order once (OrderCancelled: the refund follows it)", () => {
  const { state: order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const requested = requestCancel(order, "changed my mind", new Date(1));
  assert.ok(!isRefusal(requested));
  const cancelled = confirmCancel(requested.state, "changed my mind", new Date(2));
  assert.equal(cancelled.state.status, "Cancelled");
  assert.deepEqual(cancelled.events, [{ type: "OrderCancelled", orderId: "o1", flowerId: "1", qty: 2, reason: "changed my mind" }]);
  assert.ok(!cancelPending(cancelled.state));
  const twice = confirmCancel(cancelled.state, "x", new Date(3));
  assert.ok(twice.state === cancelled.state && twice.events.length === 0);
  assert.equal(advanceOrder(cancelled.state, "DeliveryStarted").state, cancelled.state, "a late report does not revive it");
});

test("a refused cancellation leaves the order as fulfilment made it, with the refusal to read; asking again is refused at once", () => {
  const { state: order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const requested = requestCancel(order, "changed my mind", new Date(1));
  assert.ok(!isRefusal(requested));
  const delivered = advanceOrder(requested.state, "Delivered").state;
  const refused = refuseCancel(delivered, "already delivered");
  assert.equal(refused.state.status, "Delivered");
  assert.equal(refused.state.cancelRefusal, "already delivered");
  assert.deepEqual(refused.events, []);
  assert.ok(!cancelPending(refused.state));
  assert.ok(isRefusal(requestCancel(refused.state, "again", new Date())));
});

test("reports move an order forward only, and never revive a cancelled one", () => {
  const { state: order } = placeOrder("o1", command, rose, "p1", new Date(0));
  const started = advanceOrder(order, "DeliveryStarted").state;
  assert.equal(started.status, "DeliveryStarted");
  assert.equal(advanceOrder(started, "Wrapped").state, started, "a late report changes nothing");
  const cancelled = { ...order, status: "Cancelled" as const };
  assert.equal(advanceOrder(cancelled, "Delivered").state, cancelled);
  assert.equal(furtherStatus("Wrapped", "Placed"), "Wrapped");
});
