import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMoney, times } from "./money.js";

test("formatMoney reads the smallest unit per currency", () => {
  assert.equal(formatMoney({ amount: 36_000n, currency: "KRW" }), "36,000 KRW");
  assert.equal(formatMoney({ amount: 1_250n, currency: "USD" }), "12.50 USD");
  assert.equal(formatMoney({ amount: 5n, currency: "EUR" }), "0.05 EUR");
  assert.equal(formatMoney({ amount: -1_250n, currency: "USD" }), "-12.50 USD");
  assert.equal(formatMoney({ amount: 7n, currency: "XYZ1" }), "7 XYZ1", "an unknown code shows the raw amount");
});

test("times multiplies exactly, keeping the currency", () => {
  assert.deepEqual(times({ amount: 9_007_199_254_740_993n, currency: "KRW" }, 3), { amount: 27_021_597_764_222_979n, currency: "KRW" });
});
