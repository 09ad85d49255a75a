import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRefusal, refuse } from "../../../mesh/kernel/index.js";
import { cancelProduction, produce, requestProduction, startProduction, type Production } from "./domain.js";

const now = new Date("2024-01-01T00:00:00Z");
const order = { orderId: "o1", productName: "Latte", qty: 2 };
const requested = () => requestProduction(undefined, order, "pr1", now).state;
const reserved = { reserved: true } as const;

describe("coffee kitchen domain", () => {
  test("an order makes one production; a second Ordered changes nothing", () => {
    const p = requested();
    assert.equal(p.status, "Requested");
    assert.equal(requestProduction(p, order, "pr2", now).state, p);
  });

  test("reserved: started, then produced once; not reserved: rejected with the warehouse's reason", () => {
    const started = startProduction(requested(), reserved, now);
    assert.deepEqual(started.events.map((e) => e.type), ["ProductionStarted"]);
    const made = produce(started.state, now);
    assert.ok(!isRefusal(made) && made.events[0].type === "Produced");
    const again = produce(isRefusal(made) ? requested() : made.state, now);
    assert.ok(!isRefusal(again) && again.events.length === 0, "producing twice changes nothing");
    const rejected = startProduction(requested(), { reserved: false, refusal: refuse("OUT_OF_STOCK", "out of stock: 1 Latte left, 2 needed") }, now);
    assert.equal(rejected.state.status, "Rejected");
    assert.deepEqual(rejected.events.map((e) => e.type), ["ProductionRejected"]);
    assert.ok(isRefusal(produce(requested(), now)));
  });

  test("cancel before start: cancelled (a tombstone when the order has not arrived); after start: refused and recorded", () => {
    const canceled = cancelProduction(requested(), { orderId: "o1", reason: "no", productName: "Latte" }, "x", now);
    assert.equal(canceled.state.status, "Canceled");
    assert.deepEqual(canceled.events.map((e) => e.type), ["ProductCanceled"]);
    assert.equal(startProduction(canceled.state, reserved, now).state.status, "Canceled", "a cancelled production never starts");
    const early = cancelProduction(undefined, { orderId: "o9", reason: "no", productName: "Latte" }, "x", now);
    assert.equal(early.state.status, "Canceled");
    assert.deepEqual(early.events.map((e) => e.type === "ProductCanceled" && e.productName), ["Latte"], "the warehouse learns which stock to hold");
    assert.equal(requestProduction(early.state, { ...order, orderId: "o9" }, "y", now).state.status, "Canceled", "the late order is not made");
    const started: Production = startProduction(requested(), reserved, now).state;
    const refused = cancelProduction(started, { orderId: "o1", reason: "no", productName: "Latte" }, "x", now);
    assert.equal(refused.state, started);
    assert.deepEqual(refused.events.map((e) => e.type), ["CancelRefused"]);
  });
});
