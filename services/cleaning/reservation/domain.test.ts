import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { advanceReservation, applyForCleaning, cancelPending, confirmCancel, refuseCancel, requestCancel } from "./domain.js";

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
  assert.equal(advanceReservation(confirmed, "Paid").state.status, "CleaningConfirmed");
});
