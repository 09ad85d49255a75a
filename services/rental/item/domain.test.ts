import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import {
  attemptOf, decideCancel, deleteItem, notePayment, notePaymentCancelled, receiveReservation, registerItem, releasePayment, rentOut, returnItem, type Hold, type Item,
} from "./domain.js";

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

test("cancelling a payment is decided by the item: refused once rented out, otherwise the hold is unpaid and renting out refused", () => {
  const taken = receiveReservation(ref("r1"), undefined, camera(), now);
  const paid = notePayment(taken.hold!, 1, now).state;
  const released = releasePayment(ref("r1"), 1, paid, now);
  assert.ok(!isRefusal(released));
  assert.deepEqual([released.hold!.paid, released.hold!.releasedAttempt], [false, 1]);
  assert.deepEqual(released.events, [{ type: "PaymentReleased", itemNo: "i1", reservationNo: "r1", paymentReference: "r1" }], "announced, for the reservation to follow");
  const refusedRent = rentOut(taken.item!, "r1", released.hold, now);
  assert.ok(isRefusal(refusedRent) && refusedRent.code === "NOT_PAID", "not rented out on a cancelled payment");
  const again = releasePayment(ref("r1"), 1, released.hold, now);
  assert.ok(!isRefusal(again) && again.hold === undefined, "releasing twice changes nothing of the hold");
  const rented = rentOut(taken.item!, "r1", paid, now);
  assert.ok(!isRefusal(rented));
  const tooLate = releasePayment(ref("r1"), 1, rented.hold, now);
  assert.ok(isRefusal(tooLate) && tooLate.code === "ALREADY_RENTED" && /already rented out/.test(tooLate.refused));
});

test("a released payment never counts again, whatever order the news comes in; a retry's payment does", () => {
  assert.deepEqual([attemptOf("r1", "r1"), attemptOf("r1", "r1.3"), attemptOf("r1", "")], [1, 3, 1]);
  const taken = receiveReservation(ref("r1"), undefined, camera(), now);
  // The cancellation overtakes the item's news of the payment it cancels.
  const released = releasePayment(ref("r1"), 1, taken.hold, now) as { hold: Hold };
  const late = notePayment(released.hold, 1, now).state;
  assert.equal(late.paid, false, "the late ReservationPaid of the cancelled attempt");
  const retried = notePayment(late, 2, now).state;
  assert.deepEqual([retried.paid, retried.paidAttempt], [true, 2], "ReservationPaid of the retry");
  assert.equal(notePaymentCancelled(retried, 1, now).state.paid, true, "an older attempt's cancellation leaves the retry paid");
  assert.equal(notePaymentCancelled(retried, 2, now).state.paid, false);
  assert.ok(!isRefusal(rentOut(taken.item!, "r1", retried, now)), "rented out on the retry's payment");
});

test("a payment released before its reservation reaches the item waits for it (Awaiting), and is kept on arrival", () => {
  const early = releasePayment(ref("r1"), 1, undefined, now);
  assert.ok(!isRefusal(early));
  assert.deepEqual([early.hold!.status, early.hold!.releasedAttempt, early.hold!.paid], ["Awaiting", 1, false]);
  const arrived = receiveReservation(ref("r1"), early.hold, camera(), now);
  assert.deepEqual(arrived.events.map((e) => e.type), ["ItemReserved"]);
  assert.deepEqual([arrived.hold!.status, arrived.hold!.releasedAttempt], ["Held", 1]);
  assert.equal(notePayment(arrived.hold!, 1, now).state.paid, false, "its late ReservationPaid does not count");
  const awaiting = (releasePayment(ref("r2"), 1, undefined, now) as { hold: Hold }).hold;
  const cancelled = decideCancel({ ...ref("r2"), reason: "no" }, awaiting, camera(), now);
  assert.deepEqual([cancelled.hold!.status, cancelled.events.map((e) => e.type)], ["Cancelled", ["CancelConfirmed"]], "a cancel request leaves its tombstone as before");
});
