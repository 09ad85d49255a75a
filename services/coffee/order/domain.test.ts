import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { menu } from "../menu.js";
import { advanceOrder, cancelRefusal, confirmCancel, placeOrder, priceOf, type Order } from "./domain.js";

const now = new Date("2024-01-01T00:00:00Z");
const taken = () => placeOrder("o1", { productName: "Americano", qty: 2, customerId: "kim" }, { amount: 4000n, currency: "KRW" }, "p1", now);

describe("coffee order domain", () => {
  test("the menu prices an order; an item not on it is refused, naming the menu", () => {
    assert.deepEqual(priceOf(menu, "Latte"), { amount: 4500n, currency: "KRW" });
    const refused = priceOf(menu, "Soju");
    assert.ok(isRefusal(refused) && refused.code === "NOT_ON_MENU" && refused.refused.includes("Americano"));
  });

  test("a paid order is Requested and announced as Ordered with its amount", () => {
    const d = taken();
    assert.equal(d.state.status, "Requested");
    assert.deepEqual(d.state.amount, { amount: 8000n, currency: "KRW" });
    assert.deepEqual(d.events.map((e) => e.type), ["Ordered"]);
  });

  test("cancelling is refused once order has seen production start; a confirmed cancel happens once", () => {
    const order = taken().state;
    assert.equal(cancelRefusal(order), undefined);
    const started: Order = advanceOrder(order, "Started").state;
    assert.equal(cancelRefusal(started)?.code, "PRODUCTION_STARTED");
    const canceled = confirmCancel(order, "changed my mind", now);
    assert.deepEqual(canceled.events.map((e) => e.type), ["OrderCanceled"]);
    assert.equal(confirmCancel(canceled.state, "again", now).events.length, 0);
  });

  test("reports never move an order back, nor out of Canceled", () => {
    const completed = advanceOrder(advanceOrder(taken().state, "Completed").state, "Started").state;
    assert.equal(completed.status, "Completed");
    const canceled = confirmCancel(taken().state, "x", now).state;
    assert.equal(advanceOrder(canceled, "Completed").state.status, "Canceled");
  });
});
