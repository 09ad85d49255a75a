import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { confirmCancel, followVoucher, refuseCancel, requestCancel, reserve, type Reserve } from "./domain.js";

const command: Reserve = {
  customerId: "c1", resort: "Seorak Hanwha", region: "Gangwon", date: "2026-12-24", persons: 4, rooms: 2, needs: "ocean view",
  cost: { amount: 300000n, currency: "KRW" }, paymentType: "card",
};
const reserved = () => reserve("r1", command, "p1", new Date(0)).state;

test("paid, a reservation is saved Reserved with its Reserved event", () => {
  const d = reserve("r1", command, "p1", new Date(0));
  assert.equal(d.state.status, "Reserved");
  assert.deepEqual(d.events, [{ type: "Reserved", reservationId: "r1", ...command, paymentId: "p1" }]);
});

test("the voucher confirms it, check-in fulfils it, and no report moves it back", () => {
  const confirmed = followVoucher(reserved(), "Confirmed", "T-1").state;
  assert.deepEqual([confirmed.status, confirmed.ticketNumber], ["Confirmed", "T-1"]);
  const checkedIn = followVoucher(confirmed, "CheckedIn", "T-1").state;
  assert.equal(checkedIn.status, "CheckedIn");
  assert.equal(followVoucher(checkedIn, "Confirmed", "T-1").state, checkedIn, "a late IssuedTicket changes nothing");
});

test("cancel is a request the voucher holder decides; asking again while pending changes nothing", () => {
  const asked = requestCancel(reserved(), "plans changed", new Date(1));
  assert.ok(!isRefusal(asked));
  assert.equal(asked.state.status, "Reserved", "not cancelled until the issue context confirms");
  assert.deepEqual(asked.events, [{ type: "ReservationCancelRequested", reservationId: "r1", reason: "plans changed" }]);
  const again = requestCancel(asked.state, "again", new Date(2));
  assert.ok(!isRefusal(again) && again.state === asked.state && again.events.length === 0);
});

test("a confirmed cancel cancels once (refund follows); a refused one keeps the reservation with the reason", () => {
  const asked = requestCancel(reserved(), "plans changed", new Date(1));
  assert.ok(!isRefusal(asked));
  const cancelled = confirmCancel(asked.state, "plans changed", new Date(2));
  assert.equal(cancelled.state.status, "Cancelled");
  assert.deepEqual(cancelled.events, [{ type: "ReservationCancelled", reservationId: "r1", reason: "plans changed", cost: command.cost }]);
  const twice = confirmCancel(cancelled.state, "plans changed", new Date(3));
  assert.ok(twice.state === cancelled.state && twice.events.length === 0);
  const refused = refuseCancel(followVoucher(asked.state, "CheckedIn", "T-1").state, "already checked in");
  assert.deepEqual([refused.state.status, refused.state.cancelRefusal, refused.events.length], ["CheckedIn", "already checked in", 0]);
});

test("a checked-in reservation cannot be cancelled", () => {
  const outcome = requestCancel(followVoucher(reserved(), "CheckedIn", "T-1").state, "", new Date());
  assert.ok(isRefusal(outcome) && outcome.code === "ALREADY_CHECKED_IN");
});
