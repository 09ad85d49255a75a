import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { completeCleaning, confirmCleaning, decideCancel } from "./domain.js";

const job = { id: "c1", requestId: "r1", place: "Seoul", requestDate: "2026-12-01" };

test("a paid request is scheduled once", () => {
  const c = confirmCleaning(undefined, job, new Date(0));
  assert.equal(c.state.status, "CleaningConfirmed");
  assert.deepEqual(c.events, [{ type: "CleaningConfirmed", cleaningId: "c1", requestId: "r1", place: "Seoul", requestDate: "2026-12-01" }]);
  const again = confirmCleaning(c.state, { ...job, id: "c2" }, new Date(1));
  assert.ok(again.state === c.state && again.events.length === 0);
});

test("the cleaner decides a cancel against finishing: scheduled is called off, none leaves a tombstone, completed is refused", () => {
  const scheduled = confirmCleaning(undefined, job, new Date(0)).state;
  const request = { id: "x", requestId: "r1", reason: "changed my mind" };
  const off = decideCancel(scheduled, request, new Date(1));
  assert.equal(off.state.status, "CleaningCanceled");
  assert.deepEqual(off.events, [{ type: "CancelConfirmed", referenceId: "r1", reason: "changed my mind" }]);
  assert.ok(isRefusal(completeCleaning(off.state, new Date(2))), "called off: it can no longer complete");
  assert.deepEqual(decideCancel(off.state, request, new Date(3)).events.map((e) => e.type), ["CancelConfirmed"], "a redelivered request is answered the same");

  const tombstone = decideCancel(undefined, { id: "c9", requestId: "r9", reason: "" }, new Date(1));
  assert.equal(tombstone.state.status, "CleaningCanceled");
  const late = confirmCleaning(tombstone.state, { ...job, requestId: "r9" }, new Date(2));
  assert.ok(late.state === tombstone.state && late.events.length === 0, "a late payment schedules nothing");

  const done = completeCleaning(scheduled, new Date(1));
  assert.ok(!isRefusal(done));
  assert.deepEqual(done.events, [{ type: "CleaningCompleted", cleaningId: "c1", requestId: "r1" }]);
  const refused = decideCancel(done.state, request, new Date(2));
  assert.equal(refused.state, done.state);
  assert.deepEqual(refused.events, [{ type: "CancelRefused", referenceId: "r1", code: "ALREADY_COMPLETED", reason: "the cleaning is already completed" }]);
  const twice = completeCleaning(done.state, new Date(3));
  assert.ok(!isRefusal(twice) && twice.events.length === 0);
});
