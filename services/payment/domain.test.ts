import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cancelledBeforePayment, decideCancel, decidePay, decliningTestMethod, isTombstone,
  type Pay, type Payment, type PaymentRules,
} from "./domain.js";

const rules: PaymentRules = { declineOver: 0n };
let counter = 0;
const ctx = (now = new Date("2024-05-01T10:00:00Z")) => ({ newId: () => `pay-${++counter}`, now });
const pay = (over: Partial<Pay> = {}): Pay => ({
  system: "flower", referenceId: "order-1", amount: { amount: 12_000n, currency: "KRW" }, method: "card", correlationId: "place-1", ...over,
});
const cancel = { system: "flower", referenceId: "order-1", reason: "customer changed their mind", correlationId: "cancel-1" };

describe("decidePay", () => {
  it("approves a first payment and emits PaymentApproved", () => {
    const d = decidePay(undefined, pay(), rules, ctx());
    assert.equal(d.state.status, "approved");
    assert.equal(d.state.reason, "");
    assert.equal(d.state.correlationId, "place-1", "the command that paid it");
    assert.deepEqual(d.events, [{
      type: "PaymentApproved", paymentId: d.state.id, system: "flower", referenceId: "order-1",
      amount: { amount: 12_000n, currency: "KRW" }, method: "card",
    }]);
  });

  it("returns the first result, whatever its status, and emits nothing on a second Pay", () => {
    for (const first of [decidePay(undefined, pay(), rules, ctx()), decidePay(undefined, pay({ method: decliningTestMethod }), rules, ctx())]) {
      const again = decidePay(first.state, pay({ amount: { amount: 1n, currency: "USD" }, method: "other" }), rules, ctx());
      assert.equal(again.state, first.state, "unchanged: nothing to write");
      assert.deepEqual(again.events, []);
    }
  });

  it("declines the documented test method with PaymentDeclined", () => {
    const d = decidePay(undefined, pay({ method: "decline" }), rules, ctx());
    assert.equal(d.state.status, "declined");
    assert.match(d.state.reason, /test method "decline"/);
    assert.equal(d.events.length, 1);
    assert.equal(d.events[0].type, "PaymentDeclined");
  });

  it("declines an amount over the configured limit, and only over it", () => {
    const limited = { declineOver: 10_000n };
    assert.equal(decidePay(undefined, pay({ amount: { amount: 10_000n, currency: "KRW" } }), limited, ctx()).state.status, "approved");
    const over = decidePay(undefined, pay({ amount: { amount: 10_001n, currency: "KRW" } }), limited, ctx());
    assert.equal(over.state.status, "declined");
    assert.match(over.state.reason, /exceeds the limit of 10000/);
  });

  it("has no limit when declineOver is 0", () => {
    const d = decidePay(undefined, pay({ amount: { amount: 9_007_199_254_740_991n, currency: "KRW" } }), rules, ctx());
    assert.equal(d.state.status, "approved");
  });

  it("declines a Pay that arrives after its Cancel, keeping the tombstone's id", () => {
    const tombstone = decideCancel(undefined, cancel, ctx()).state;
    const late = decidePay(tombstone, pay(), rules, ctx(new Date("2024-05-01T10:05:00Z")));
    assert.notEqual(late.state, tombstone);
    assert.equal(late.state.id, tombstone.id);
    assert.equal(late.state.status, "declined");
    assert.equal(late.state.reason, cancelledBeforePayment);
    assert.deepEqual(late.state.amount, { amount: 12_000n, currency: "KRW" });
    assert.equal(late.state.createdAt, tombstone.createdAt);
    assert.deepEqual(late.events.map((e) => e.type), ["PaymentDeclined"]);
    // ...and from then on it is an ordinary declined payment.
    assert.equal(decidePay(late.state, pay(), rules, ctx()).state, late.state);
  });
});

describe("decideCancel", () => {
  const approved = (): Payment => decidePay(undefined, pay(), rules, ctx()).state;

  it("refunds an approved payment with PaymentCancelled", () => {
    const p = approved();
    const d = decideCancel(p, cancel, ctx(new Date("2024-05-01T11:00:00Z")));
    assert.equal(d.state.correlationId, "place-1", "still filed under the command that paid it");
    assert.equal(d.state.status, "cancelled");
    assert.equal(d.state.reason, cancel.reason);
    assert.deepEqual(d.state.updatedAt, new Date("2024-05-01T11:00:00Z"));
    assert.deepEqual(d.events, [{
      type: "PaymentCancelled", paymentId: p.id, system: "flower", referenceId: "order-1",
      amount: { amount: 12_000n, currency: "KRW" }, reason: cancel.reason,
    }]);
  });

  it("is idempotent: cancelling a cancelled payment changes nothing", () => {
    const once = decideCancel(approved(), cancel, ctx());
    const twice = decideCancel(once.state, { ...cancel, reason: "again" }, ctx());
    assert.equal(twice.state, once.state);
    assert.deepEqual(twice.events, []);
  });

  it("leaves a declined payment as it is", () => {
    const declined = decidePay(undefined, pay({ method: "decline" }), rules, ctx()).state;
    const d = decideCancel(declined, cancel, ctx());
    assert.equal(d.state, declined);
    assert.equal(d.state.status, "declined");
    assert.deepEqual(d.events, []);
  });

  it("records a tombstone for an unknown payment, without an event", () => {
    const d = decideCancel(undefined, { ...cancel, reason: "" }, ctx());
    assert.equal(d.state.status, "cancelled");
    assert.equal(d.state.amount, undefined);
    assert.equal(d.state.correlationId, "cancel-1");
    assert.equal(d.state.reason, "cancelled");
    assert.ok(isTombstone(d.state));
    assert.deepEqual(d.events, []);
    assert.equal(decideCancel(d.state, cancel, ctx()).state, d.state);
  });

  it("keeps a reason to 255 characters", () => {
    assert.equal(decideCancel(approved(), { ...cancel, reason: "r".repeat(400) }, ctx()).state.reason.length, 255);
  });

  it("does not take a refunded payment for a tombstone", () => {
    assert.equal(isTombstone(decideCancel(approved(), cancel, ctx()).state), false);
  });
});
