import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { cancelDelivery, completeDelivery, startDelivery } from "./domain.js";

const order = { id: "d1", orderId: "o1", address: "Seoul", phoneNumber: "010-1234-5678" };

test("a wrapped order starts one delivery; a second report starts none", () => {
  const d = startDelivery(undefined, order, new Date(0));
  assert.equal(d.state.status, "Started");
  assert.deepEqual(d.events, [{ type: "DeliveryStarted", deliveryId: "d1", orderId: "o1", address: "Seoul" }]);
  const again = startDelivery(d.state, order, new Date(1));
  assert.ok(again.state === d.state && again.events.length === 0);
});

test("completing hands the flowers over once; a canceled delivery cannot complete", () => {
  const started = startDelivery(undefined, order, new Date(0)).state;
  const done = completeDelivery(started, new Date(1));
  assert.ok(!isRefusal(done));
  assert.equal(done.state.status, "Completed");
  const again = completeDelivery(done.state, new Date(2));
  assert.ok(!isRefusal(again) && again.state === done.state && again.events.length === 0);
  const refused = completeDelivery({ ...started, status: "Canceled" }, new Date());
  assert.ok(isRefusal(refused) && refused.code === "DELIVERY_CANCELED");
});

test("the courier decides a cancel request against handing over: a started delivery is called off, none yet leaves a tombstone, a completed one is refused", () => {
  const started = startDelivery(undefined, order, new Date(0)).state;
  const request = { id: "x", orderId: "o1", reason: "changed my mind" };
  const canceled = cancelDelivery(started, request, new Date(1));
  assert.equal(canceled.state.status, "Canceled");
  assert.deepEqual(canceled.events.map((e) => e.type), ["DeliveryCanceled", "CancelConfirmed"]);
  assert.deepEqual(canceled.events[1], { type: "CancelConfirmed", referenceId: "o1", reason: "changed my mind" });
  assert.ok(isRefusal(completeDelivery(canceled.state, new Date(2))), "called off: the courier can no longer complete it");

  const tombstone = cancelDelivery(undefined, { id: "d2", orderId: "o2", reason: "" }, new Date(1));
  assert.equal(tombstone.state.status, "Canceled");
  assert.deepEqual(tombstone.events.map((e) => e.type), ["CancelConfirmed"]);
  const late = startDelivery(tombstone.state, { ...order, orderId: "o2" }, new Date(2));
  assert.ok(late.state === tombstone.state && late.events.length === 0);

  const completed = { ...started, status: "Completed" as const };
  const refused = cancelDelivery(completed, request, new Date());
  assert.equal(refused.state, completed, "a delivered order stays delivered");
  assert.deepEqual(refused.events, [{ type: "CancelRefused", referenceId: "o1", code: "ALREADY_DELIVERED", reason: "already delivered" }]);

  const again = cancelDelivery(canceled.state, request, new Date(3));
  assert.equal(again.state, canceled.state);
  assert.deepEqual(again.events.map((e) => e.type), ["CancelConfirmed"], "a redelivered request is answered the same, changing nothing");
});
