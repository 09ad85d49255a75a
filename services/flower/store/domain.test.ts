import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { addFlower, cancelOrder, changeStock, decideCancel, receiveOrder, wrapFlowers, type Flower, type StoreOrder } from "./domain.js";

const rose: Flower = { id: "1", name: "Rose", price: { amount: 5000n, currency: "KRW" }, stock: 5 };
const incoming = (qty: number, isOffline = false) => ({ orderId: "o1", flowerId: "1", qty, isOffline });
const now = new Date(0);

test("a delivery order takes flowers out of stock and is wrapped at once in auto mode", () => {
  const d = receiveOrder(incoming(2), undefined, rose, "auto", now);
  assert.equal(d.flower?.stock, 3);
  assert.equal(d.order?.status, "Wrapped");
  assert.deepEqual(d.events.map((e) => e.type), ["StockChanged", "FlowerWrapped"]);
});

test("in manual mode the order waits for the owner, who wraps it once", () => {
  const d = receiveOrder(incoming(2), undefined, rose, "manual", now);
  assert.equal(d.order?.status, "Accepted");
  assert.deepEqual(d.events.map((e) => e.type), ["StockChanged"]);
  const wrapped = wrapFlowers(d.order!, now);
  assert.ok(!isRefusal(wrapped));
  assert.equal(wrapped.state.status, "Wrapped");
  const again = wrapFlowers(wrapped.state, now);
  assert.ok(isRefusal(again));
  assert.match(again.refused, /wrapped/);
});

test("a pick-up order is sold at once and cannot be wrapped", () => {
  const d = receiveOrder(incoming(1, true), undefined, rose, "auto", now);
  assert.equal(d.order?.status, "Sold");
  assert.deepEqual(d.events.map((e) => e.type), ["StockChanged", "FlowerSold"]);
  assert.ok(isRefusal(wrapFlowers({ ...d.order!, status: "Accepted" }, now)));
});

test("short stock rejects the order and leaves stock alone", () => {
  const d = receiveOrder(incoming(6), undefined, rose, "auto", now);
  assert.equal(d.order?.status, "Rejected");
  assert.equal(d.flower, undefined);
  assert.equal(d.events[0].type, "OrderRejected");
  assert.match((d.events[0] as { reason: string }).reason, /out of stock: 5 Rose left, 6 ordered/);
  assert.equal(receiveOrder(incoming(1), undefined, undefined, "auto", now).order?.status, "Rejected");
});

test("an order already seen, or cancelled before it arrived, changes nothing", () => {
  const tombstone = cancelOrder({ orderId: "o1", flowerId: "1", qty: 2, reason: "" }, undefined, rose, now);
  assert.equal(tombstone.order?.status, "Cancelled");
  assert.deepEqual(tombstone.events, []);
  assert.deepEqual(receiveOrder(incoming(2), tombstone.order, rose, "auto", now), { events: [] });
});

test("cancelling an accepted or wrapped order puts the flowers back; a sold one stays sold", () => {
  const wrapped: StoreOrder = { orderId: "o1", flowerId: "1", qty: 2, isOffline: false, status: "Wrapped", reason: "", receivedAt: now, updatedAt: now };
  const d = cancelOrder({ ...wrapped, reason: "changed my mind" }, wrapped, { ...rose, stock: 3 }, now);
  assert.equal(d.flower?.stock, 5);
  assert.equal(d.order?.status, "Cancelled");
  assert.equal(d.events[0].type, "StockChanged");
  assert.deepEqual(cancelOrder(wrapped, { ...wrapped, status: "Sold" }, rose, now), { events: [] });
  assert.deepEqual(cancelOrder(wrapped, { ...wrapped, status: "Cancelled" }, rose, now), { events: [] });
});

test("the store decides a pick-up order's cancel request against its hand-over: sold is refused, otherwise taken back and confirmed", () => {
  const request = { orderId: "o1", flowerId: "1", qty: 2, reason: "changed my mind" };
  const sold: StoreOrder = { ...request, isOffline: true, status: "Sold", reason: "", receivedAt: now, updatedAt: now };
  assert.deepEqual(decideCancel(request, sold, rose, now), {
    events: [{ type: "CancelRefused", referenceId: "o1", code: "ALREADY_SOLD", reason: "already handed over in the store" }],
  });
  const early = decideCancel(request, undefined, rose, now);
  assert.equal(early.order?.status, "Cancelled", "a tombstone: the late order is not taken");
  assert.equal(early.flower, undefined, "nothing was taken, nothing to give back");
  assert.deepEqual(early.events, [{ type: "CancelConfirmed", referenceId: "o1", reason: "changed my mind" }]);
  assert.deepEqual(receiveOrder({ ...request, isOffline: true }, early.order, rose, "auto", now), { events: [] });
  const accepted = decideCancel(request, { ...sold, status: "Accepted" }, { ...rose, stock: 3 }, now);
  assert.equal(accepted.flower?.stock, 5);
  assert.deepEqual(accepted.events.map((e) => e.type), ["StockChanged", "CancelConfirmed"]);
});

test("the owner adds flowers once and sets stock levels", () => {
  assert.ok(isRefusal(addFlower(rose, rose)));
  const added = addFlower(rose, undefined);
  assert.ok(!isRefusal(added) && added.events[0].type === "StockChanged");
  assert.equal(changeStock(rose, 42).state.stock, 42);
});
