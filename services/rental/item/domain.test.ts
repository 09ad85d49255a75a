import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { decideCancel, deleteItem, receiveReservation, registerItem, rentOut, returnItem, type Hold, type Item } from "./domain.js";

const now = new Date("2025-01-01T00:00:00Z");
const camera = (): Item => registerItem("i1", { itemName: "Camera", itemPrice: { amount: 100n, currency: "KRW" } }, now).state;
const ref = (reservationNo: string) => ({ reservationNo, itemNo: "i1" });

test("a reservation takes a free item (NotRentable); a second one, or a redelivered first, changes nothing more", () => {
  const first = receiveReservation(ref("r1"), undefined, camera(), now);
  assert.deepEqual(first.events.map((e) => e.type), ["ItemReserved"]);
  assert.equal(first.item!.itemStatus, "NotRentable");
  const second = receiveReservation(ref("r2"), undefined, first.item, now);
  assert.deepEqual(second.events.map((e) => e.type), ["ReservationRejected"]);
  assert.equal(second.item, undefined, "the item is untouched");
  assert.deepEqual(receiveReservation(ref("r1"), first.hold, first.item, now).events, [], "redelivered");
  assert.match((receiveReservation(ref("r3"), undefined, undefined, now).events[0] as { reason: string }).reason, /does not exist/);
});

test("rent out needs the holding, paid reservation; return frees the item; delete only when free", () => {
  const taken = receiveReservation(ref("r1"), undefined, camera(), now);
  const unpaid = rentOut(taken.item!, "r1", taken.hold, now);
  assert.ok(isRefusal(unpaid) && unpaid.code === "NOT_PAID");
  assert.ok(isRefusal(deleteItem(taken.item!, now)));
  const paid: Hold = { ...taken.hold!, paid: true };
  const rented = rentOut(taken.item!, "r1", paid, now);
  assert.ok(!isRefusal(rented));
  assert.equal(rented.item!.rentalStatus, "Renting");
  assert.deepEqual(rentOut(rented.item!, "r1", rented.hold, now), { events: [] }, "renting out twice changes nothing");
  const back = returnItem(rented.item!, "r1", rented.hold, now);
  assert.ok(!isRefusal(back));
  assert.deepEqual([back.item!.itemStatus, back.item!.rentalStatus, back.item!.reservationNo], ["Rentable", "Returned", ""]);
  assert.ok(!isRefusal(deleteItem(back.item!, now)));
});

test("the item decides a cancel request: released and confirmed before renting out, refused after; a tombstone stops a late reservation", () => {
  const taken = receiveReservation(ref("r1"), undefined, camera(), now);
  const cancelled = decideCancel({ ...ref("r1"), reason: "no" }, taken.hold, taken.item, now);
  assert.deepEqual(cancelled.events.map((e) => e.type), ["CancelConfirmed"]);
  assert.equal(cancelled.item!.itemStatus, "Rentable");
  assert.ok(isRefusal(rentOut(cancelled.item!, "r1", { ...cancelled.hold!, paid: true }, now)), "a cancelled reservation is not rented out");
  const rented = rentOut(taken.item!, "r1", { ...taken.hold!, paid: true }, now);
  assert.ok(!isRefusal(rented));
  assert.deepEqual(decideCancel({ ...ref("r1"), reason: "no" }, rented.hold, rented.item, now).events.map((e) => e.type), ["CancelRefused"]);
  const early = decideCancel({ ...ref("r9"), reason: "no" }, undefined, camera(), now);
  assert.equal(early.hold!.status, "Cancelled");
  assert.deepEqual(receiveReservation(ref("r9"), early.hold, camera(), now).events, [], "the late reservation is not taken");
});
