import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import {
  cancelledBeforePayment, decideCancel, decidePay, decliningTestMethod, isTombstone,
  type Pay, type Payment, type PaymentRules,
} from "./domain.js";

const rules: PaymentRules = { declineOver: 0n };
let counter = 0;
const ctx = (now = new Date("2024-05-01T10:00:00Z")) => ({ newId: () => `pay-${++counter}`, now });
const pay = (over: Partial<Pay> = {}): Pay => ({
  system: "flower", referenceId: "order-1", amount: { amount: 12_000n, currency: "KRW" }, method: "card", ...over,
});
const cancel = { system: "flower", referenceId: "order-1", reason: "customer changed their mind" };

describe("decidePay", () => {
  it("approves a first payment and emits PaymentApproved", () => {
    const d = decidePay(undefined, pay(), rules, ctx());
    assert.equal(d.change, "created");
    assert.equal(d.payment.status, "approved");
    assert.equal(d.payment.reason, "");
    assert.deepEqual(d.events, [{
      type: "PaymentApproved", paymentId: d.payment.id, system: "flower", referenceId: "order-1",
      amount: { amount: 12_000n, currency: "KRW" }, method: "card",
    }]);
  });

  it("returns the first result, whatever its status, and emits nothing on a second Pay", () => {
    for (const first of [decidePay(undefined, pay(), rules, ctx()), decidePay(undefined, pay({ method: decliningTestMethod }), rules, ctx())]) {
      const again = decidePay(first.payment, pay({ amount: { amount: 1n, currency: "USD" }, method: "other" }), rules, ctx());
      assert.equal(again.change, "unchanged");
      assert.equal(again.payment, first.payment);
      assert.deepEqual(again.events, []);
    }
  });

  it("declines the documented test method with PaymentDeclined", () => {
    const d = decidePay(undefined, pay({ method: "decline" }), rules, ctx());
    assert.equal(d.payment.status, "declined");
    assert.match(d.payment.reason, /test method "decline"/);
    assert.equal(d.events.length, 1);
    assert.equal(d.events[0].type, "PaymentDeclined");
  });

  it("declines an amount over the configured limit, and only over it", () => {
    const limited = { declineOver: 10_000n };
    assert.equal(decidePay(undefined, pay({ amount: { amount: 10_000n, currency: "KRW" } }), limited, ctx()).payment.status, "approved");
    const over = decidePay(undefined, pay({ amount: { amount: 10_001n, currency: "KRW" } }), limited, ctx());
    assert.equal(over.payment.status, "declined");
    assert.match(over.payment.reason, /exceeds the limit of 10000/);
  });

  it("has no limit when declineOver is 0", () => {
    const d = decidePay(undefined, pay({ amount: { amount: 9_007_199_254_740_991n, currency: "KRW" } }), rules, ctx());
    assert.equal(d.payment.status, "approved");
  });

  it("declines a Pay that arrives after its Cancel, keeping the tombstone's id", () => {
    const tombstone = decideCancel(undefined, cancel, ctx()).payment;
    const late = decidePay(tombstone, pay(), rules, ctx(new Date("2024-05-01T10:05:00Z")));
    assert.equal(late.change, "updated");
    assert.equal(late.payment.id, tombstone.id);
    assert.equal(late.payment.status, "declined");
    assert.equal(late.payment.reason, cancelledBeforePayment);
    assert.deepEqual(late.payment.amount, { amount: 12_000n, currency: "KRW" });
    assert.equal(late.payment.createdAt, tombstone.createdAt);
    assert.deepEqual(late.events.map((e) => e.type), ["PaymentDeclined"]);
    // ...and from then on it is an ordinary declined payment.
    assert.equal(decidePay(late.payment, pay(), rules, ctx()).change, "unchanged");
  });
});

describe("decideCancel", () => {
  const approved = (): Payment => decidePay(undefined, pay(), rules, ctx()).payment;

  it("refunds an approved payment with PaymentCancelled", () => {
    const p = approved();
    const d = decideCancel(p, cancel, ctx(new Date("2024-05-01T11:00:00Z")));
    assert.equal(d.change, "updated");
    assert.equal(d.payment.status, "cancelled");
    assert.equal(d.payment.reason, cancel.reason);
    assert.deepEqual(d.payment.updatedAt, new Date("2024-05-01T11:00:00Z"));
    assert.deepEqual(d.events, [{
      type: "PaymentCancelled", paymentId: p.id, system: "flower", referenceId: "order-1",
      amount: { amount: 12_000n, currency: "KRW" }, reason: cancel.reason,
    }]);
  });

  it("is idempotent: cancelling a cancelled payment changes nothing", () => {
    const once = decideCancel(approved(), cancel, ctx());
    const twice = decideCancel(once.payment, { ...cancel, reason: "again" }, ctx());
    assert.equal(twice.change, "unchanged");
    assert.equal(twice.payment, once.payment);
    assert.deepEqual(twice.events, []);
  });

  it("leaves a declined payment as it is", () => {
    const declined = decidePay(undefined, pay({ method: "decline" }), rules, ctx()).payment;
    const d = decideCancel(declined, cancel, ctx());
    assert.equal(d.change, "unchanged");
    assert.equal(d.payment.status, "declined");
    assert.deepEqual(d.events, []);
  });

  it("records a tombstone for an unknown payment, without an event", () => {
    const d = decideCancel(undefined, { ...cancel, reason: "" }, ctx());
    assert.equal(d.change, "created");
    assert.equal(d.payment.status, "cancelled");
    assert.equal(d.payment.amount, null);
    assert.equal(d.payment.reason, "cancelled");
    assert.ok(isTombstone(d.payment));
    assert.deepEqual(d.events, []);
    assert.equal(decideCancel(d.payment, cancel, ctx()).change, "unchanged");
  });

  it("does not take a refunded payment for a tombstone", () => {
    assert.equal(isTombstone(decideCancel(approved(), cancel, ctx()).payment), false);
  });
});

describe("the domain's dependencies", () => {
  it("imports nothing from protobuf, RPC, SQL or NATS", async () => {
    const source = await readFile(new URL("./domain.ts", import.meta.url), "utf8");
    const imports = [...source.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
    for (const spec of imports) {
      assert.doesNotMatch(spec, /@bufbuild|@connectrpc|@grpc|knex|mysql|sqlite|nats|\/gen\/|mesh\//, `domain.ts imports ${spec}`);
    }
  });
});
