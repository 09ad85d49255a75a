import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { checkIn, decideCancel, issueTicket } from "./domain.js";

const stay = { reservationId: "r1", customerId: "c1", resort: "Seorak Hanwha", date: "2026-12-24" };
const issued = () => issueTicket(undefined, stay, { id: "i1", ticketNumber: "T-1" }, new Date(0)).state;
const request = { id: "i9", reservationId: "r1", reason: "plans changed" };

test("a paid reservation gets one voucher; a second Reserved issues none", () => {
  const d = issueTicket(undefined, stay, { id: "i1", ticketNumber: "T-1" }, new Date(0));
  assert.equal(d.state.status, "Issued");
  assert.deepEqual(d.events, [{ type: "IssuedTicket", issueId: "i1", reservationId: "r1", ticketNumber: "T-1" }]);
  const again = issueTicket(d.state, stay, { id: "i2", ticketNumber: "T-2" }, new Date(1));
  assert.ok(again.state === d.state && again.events.length === 0);
});

test("an issued voucher is revoked and the cancel confirmed; asked again, confirmed again without a second revocation", () => {
  const d = decideCancel(issued(), request, new Date(1));
  assert.equal(d.state.status, "Cancelled");
  assert.deepEqual(d.events.map((e) => e.type), ["CancelledTicket", "CancelConfirmed"]);
  const again = decideCancel(d.state, request, new Date(2));
  assert.ok(again.state === d.state);
  assert.deepEqual(again.events, [{ type: "CancelConfirmed", referenceId: "r1", reason: "plans changed" }]);
  assert.ok(isRefusal(checkIn(d.state, new Date(3))), "a revoked voucher cannot be used");
});

test("cancelled before its voucher: a tombstone confirms, and the late Reserved issues nothing", () => {
  const d = decideCancel(undefined, request, new Date(1));
  assert.deepEqual([d.state.status, d.state.ticketNumber], ["Cancelled", ""]);
  assert.deepEqual(d.events.map((e) => e.type), ["CancelConfirmed"]);
  const late = issueTicket(d.state, stay, { id: "i1", ticketNumber: "T-1" }, new Date(2));
  assert.ok(late.state === d.state && late.events.length === 0);
});

test("checked in first: the cancel is refused and the voucher stays used", () => {
  const used = checkIn(issued(), new Date(1));
  assert.ok(!isRefusal(used));
  assert.deepEqual(used.events.map((e) => e.type), ["CheckedIn"]);
  const twice = checkIn(used.state, new Date(2));
  assert.ok(!isRefusal(twice) && twice.state === used.state && twice.events.length === 0);
  const d = decideCancel(used.state, request, new Date(3));
  assert.equal(d.state, used.state);
  assert.deepEqual(d.events, [{ type: "CancelRefused", referenceId: "r1", code: "ALREADY_CHECKED_IN", reason: "already checked in" }]);
});
