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

test("cancelling calls off a started delivery, or leaves a tombstone that stops a late start", () => {
  const started = startDelivery(undefined, order, new Date(0)).state;
  const canceled = cancelDelivery(started, { id: "x", orderId: "o1" }, new Date(1));
  assert.deepEqual(canceled.events.map((e) => e.type), ["DeliveryCanceled"]);
  const tombstone = cancelDelivery(undefined, { id: "d2", orderId: "o2" }, new Date(1));
  assert.equal(tombstone.state.status, "Canceled");
  assert.deepEqual(tombstone.events, []);
  const late = startDelivery(tombstone.state, { ...order, orderId: "o2" }, new Date(2));
  assert.ok(late.state === tombstone.state && late.events.length === 0);
  const completed = { ...started, status: "Completed" as const };
  assert.equal(cancelDelivery(completed, { id: "x", orderId: "o1" }, new Date()).state, completed);
});
