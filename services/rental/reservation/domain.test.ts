import assert from "node:assert/strict";
import { test } from "node:test";
import { idOfPaymentReference, isRefusal } from "../../../mesh/kernel/index.js";
import {
  checkPaymentCancellable, closeReservation, followRental, paymentCancelled, paymentReferenceOf, recordPayment, requestCancel, reserve, startPayment, voidPayment, type Reservation,
} from "./domain.js";

const now = new Date("2025-01-01T00:00:00Z");
const item = { id: "i1", itemName: "Camera", itemPrice: { amount: 100n, currency: "KRW" }, deleted: false };
const fresh = (): Reservation => reserve("r1", { customerName: "Song", customerId: "1", itemNo: "i1" }, item, now).state;
const ok = <T>(o: T) => {
  assert.ok(!isRefusal(o as object));
  return o as Exclude<T, { refused: string }>;
};

test("each payment attempt has its own reference; the first is the reservation's id", () => {
  assert.equal(paymentReferenceOf("r1", 1), "r1");
  assert.equal(paymentReferenceOf("r1", 3), "r1.3");
  assert.equal(idOfPaymentReference("r1.3"), "r1");
  assert.deepEqual(voidPayment("r1.2", "lost"), { type: "ReservationPaymentVoided", paymentReference: "r1.2", reservationNo: "r1", reason: "lost" });
});

test("paid once; recording the same payment again changes nothing; a second attempt is refused (and voided by the caller)", () => {
  const started = ok(startPayment(fresh(), now)).state;
  const paid = ok(recordPayment(started, "r1", "p1", now));
  assert.deepEqual(paid.events.map((e) => e.type), ["ReservationPaid"]);
  assert.deepEqual(ok(recordPayment(paid.state, "r1", "p1", now)).events, []);
  assert.ok(isRefusal(recordPayment(paid.state, "r1.2", "p2", now)));
});

test("a cancelled paid reservation is refunded: by its id, and a retry's payment by its own reference", () => {
  const paid = ok(recordPayment({ ...fresh(), payAttempts: 2 }, "r1.2", "p2", now)).state;
  const asked = ok(requestCancel(paid, "no", now));
  assert.deepEqual(asked.events.map((e) => e.type), ["ReservationCancelRequested"]);
  assert.deepEqual(ok(requestCancel(asked.state, "no", now)).events, [], "asking again while the item decides");
  const closed = closeReservation(asked.state, "Cancelled", "no", now);
  assert.deepEqual(closed.events.map((e) => e.type), ["ReservationCancelled", "ReservationPaymentVoided"]);
  assert.equal(closed.state.paymentStatus, "Refunded");
  assert.deepEqual(closeReservation(closed.state, "Cancelled", "no", now).events, [], "closing twice");
});

test("the rental follows the item's reports and never moves back; a rented reservation cannot be cancelled", () => {
  const returned = followRental(followRental(fresh(), "Renting", now).state, "Returned", now).state;
  assert.equal(followRental(returned, "Renting", now).state.rentalStatus, "Returned");
  assert.ok(isRefusal(requestCancel(returned, "late", now)));
});

test("a cancelled payment (once the item consented) is NotPaid, published with its attempt and voided by its reference; twice changes nothing; a retry is a new attempt", () => {
  const paid = ok(recordPayment(ok(startPayment(fresh(), now)).state, "r1", "p1", now));
  assert.deepEqual(paid.events[0], { type: "ReservationPaid", reservationNo: "r1", itemNo: "i1", amount: item.itemPrice, paymentId: "p1", paymentReference: "r1" });
  assert.equal(checkPaymentCancellable(paid.state), undefined);
  const cancelled = paymentCancelled(paid.state, "r1", "oops", now);
  assert.deepEqual(cancelled.events, [
    { type: "ReservationPaymentCancelled", reservationNo: "r1", itemNo: "i1", reason: "oops", paymentReference: "r1" },
    { type: "ReservationPaymentVoided", paymentReference: "r1", reservationNo: "r1", reason: "oops" },
  ]);
  assert.deepEqual([cancelled.state.paymentStatus, cancelled.state.paymentReference], ["NotPaid", ""]);
  assert.deepEqual(paymentCancelled(cancelled.state, "r1", "oops", now).events, [], "recorded twice");
  assert.ok(isRefusal(checkPaymentCancellable(cancelled.state) ?? {}), "nothing paid to cancel");
  const retry = ok(startPayment(cancelled.state, now)).state;
  assert.equal(paymentReferenceOf("r1", retry.payAttempts), "r1.2");
  const repaid = ok(recordPayment(retry, "r1.2", "p2", now));
  assert.equal((repaid.events[0] as { paymentReference: string }).paymentReference, "r1.2");
  assert.deepEqual(paymentCancelled(repaid.state, "r1", "stale", now).events, [], "a stale attempt's cancellation changes nothing");
  assert.deepEqual(paymentCancelled(repaid.state, "r1.2", "again", now).events.map((e) => e.type), ["ReservationPaymentCancelled", "ReservationPaymentVoided"]);
  assert.ok(isRefusal(checkPaymentCancellable(followRental(repaid.state, "Renting", now).state) ?? {}), "known rented: refused without asking");
});
