import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { advanceReservation, applyForCleaning, cancelPending, confirmCancel, recordPayment, refuseCancel, requestCancel } from "./domain.js";

const apply = { place: "Seoul Gangnam", requestDate: "2026-12-01", price: { amount: 50000n, currency: "KRW" }, customerId: "guest" };

test("applying for a cleaning: ReservationApply and CleaningRequested with everything the others need", () => {
  const { state, events } = applyForCleaning("r1", apply, new Date(0));
  assert.equal(state.status, "ReservationApply");
  assert.deepEqual(events, [{ type: "CleaningRequested", requestId: "r1", ...apply }]);
});

test("cancelling is a request until the cleaner answers; asking twice changes nothing; completed is refused", () => {
  const { state } = applyForCleaning("r1", apply, new Date(0));
  const asked = requestCancel(state, "changed my mind", new Date(1));
  assert.ok(!isRefusal(asked));
  assert.equal(asked.state.status, "ReservationApply");
  assert.ok(cancelPending(asked.state));
  assert.deepEqual(asked.events, [{ type: "CleaningCancelRequested", requestId: "r1", reason: "changed my mind" }]);
  const again = requestCancel(asked.state, "again", new Date(2));
  assert.ok(!isRefusal(again) && again.events.length === 0);
  const done = requestCancel({ ...state, status: "CleaningCompleted" }, "late", new Date());
  assert.ok(isRefusal(done) && done.code === "CLEANING_COMPLETED");
});

test("a confirmed cancel cancels once (the refund follows); a refused one leaves the status with its reason", () => {
  const { state } = applyForCleaning("r1", apply, new Date(0));
  const cancelled = confirmCancel(state, "bye");
  assert.equal(cancelled.state.status, "ReservationCanceled");
  assert.deepEqual(cancelled.events, [{ type: "CleaningRequestCanceled", requestId: "r1", reason: "bye" }]);
  assert.equal(confirmCancel(cancelled.state, "bye").events.length, 0);
  assert.equal(advanceReservation(cancelled.state, "CleaningCompleted").state, cancelled.state, "a late report does not revive it");
  const refused = refuseCancel({ ...state, status: "CleaningCompleted" }, "the cleaning is already completed");
  assert.equal(refused.state.status, "CleaningCompleted");
  assert.equal(refused.state.cancelRefusal, "the cleaning is already completed");
});

test("reports move a request forward only", () => {
  const { state } = applyForCleaning("r1", apply, new Date(0));
  const confirmed = advanceReservation(state, "CleaningConfirmed").state;
  assert.equal(recordPayment(confirmed, "r1").state.status, "CleaningConfirmed");
  assert.equal(recordPayment(confirmed, "r1").state.paymentReference, "r1", "the payment is remembered all the same");
});

test("paid by a retry (its own reference): cancelling refunds that attempt too, whichever of the two is heard first", () => {
  const { state } = applyForCleaning("r1", apply, new Date(0));
  const paid = recordPayment(state, "r1.2");
  assert.deepEqual([paid.state.status, paid.state.paymentReference, paid.events], ["Paid", "r1.2", []]);
  assert.deepEqual(recordPayment(paid.state, "r1.2").state, paid.state, "a redelivered report changes nothing");
  assert.deepEqual(confirmCancel(paid.state, "bye").events, [
    { type: "CleaningRequestCanceled", requestId: "r1", reason: "bye" },
    { type: "CleaningPaymentVoided", paymentReference: "r1.2", requestId: "r1", reason: "bye" },
  ]);
  // The cancel won the race with the registration: the late report voids its payment, once.
  const cancelled = confirmCancel(state, "bye");
  assert.deepEqual(cancelled.events, [{ type: "CleaningRequestCanceled", requestId: "r1", reason: "bye" }]);
  const late = recordPayment(cancelled.state, "r1.3");
  assert.equal(late.state.status, "ReservationCanceled");
  assert.deepEqual(late.events, [{ type: "CleaningPaymentVoided", paymentReference: "r1.3", requestId: "r1", reason: "bye" }]);
  assert.equal(recordPayment(late.state, "r1.3").events.length, 0);
  // Paid by the first attempt: CleaningRequestCanceled refunds it (reference = the id), nothing more.
  assert.equal(confirmCancel(recordPayment(state, "r1").state, "bye").events.length, 1);
  assert.equal(recordPayment(cancelled.state, "r1").events.length, 0);
});
