import assert from "node:assert/strict";
import { test } from "node:test";
import { cancelDelivery, completeDelivery, isRefusal, startDelivery } from "./domain.js";

const order = { id: "d1", orderId: "o1", address: "Seoul", phoneNumber: "010-1234-5678" };

test("a wrapped order starts one delivery; a second report starts none", () => {
  const d = startDelivery(undefined, order, new Date(0));
  assert.equal(d.delivery?.status, "Started");
  assert.deepEqual(d.events, [{ type: "DeliveryStarted", deliveryId: "d1", orderId: "o1", address: "Seoul" }]);
  assert.deepEqual(startDelivery(d.delivery, order, new Date(1)), { events: [] });
});

test("completing hands the flowers over once; a canceled delivery cannot complete", () => {
  const started = startDelivery(undefined, order, new Date(0)).delivery!;
  const done = completeDelivery(started, new Date(1));
  assert.ok(!isRefusal(done));
  assert.equal(done.delivery?.status, "Completed");
  assert.deepEqual(completeDelivery(done.delivery!, new Date(2)), { events: [] });
  assert.ok(isRefusal(completeDelivery({ ...started, status: "Canceled" }, new Date())));
});

test("cancelling calls off a started delivery, or leaves a tombstone that stops a late start", () => {
  const started = startDelivery(undefined, order, new Date(0)).delivery!;
  const canceled = cancelDelivery(started, { id: "x", orderId: "o1" }, new Date(1));
  assert.deepEqual(canceled.events.map((e) => e.type), ["DeliveryCanceled"]);
  const tombstone = cancelDelivery(undefined, { id: "d2", orderId: "o2" }, new Date(1));
  assert.equal(tombstone.delivery?.status, "Canceled");
  assert.deepEqual(tombstone.events, []);
  assert.deepEqual(startDelivery(tombstone.delivery, { ...order, orderId: "o2" }, new Date(2)), { events: [] });
  const completed = { ...started, status: "Completed" as const };
  assert.deepEqual(cancelDelivery(completed, { id: "x", orderId: "o1" }, new Date()), { events: [] });
});
