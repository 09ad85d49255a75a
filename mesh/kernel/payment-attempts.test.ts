import assert from "node:assert/strict";
import { test } from "node:test";
import { idOfPaymentReference, paymentAttemptOf, paymentReferenceOf } from "./payment-attempts.js";

test("the first payment attempt pays under the id itself, later ones under <id>.<n>", () => {
  assert.equal(paymentReferenceOf("r1", 1), "r1");
  assert.equal(paymentReferenceOf("r1", 0), "r1", "no attempt counted yet reads as the first");
  assert.equal(paymentReferenceOf("r1", 2), "r1.2");
  assert.equal(paymentReferenceOf("r1", 13), "r1.13");
});

test("every attempt's reference leads back to its id and its attempt", () => {
  for (const id of ["r1", "0f3a-9_x", "ORD-2026-12"]) {
    for (const attempt of [1, 2, 3, 10, 250]) {
      assert.equal(idOfPaymentReference(paymentReferenceOf(id, attempt)), id, `${id} attempt ${attempt}`);
      assert.equal(paymentAttemptOf(paymentReferenceOf(id, attempt)), attempt, `${id} attempt ${attempt}`);
    }
  }
  assert.equal(idOfPaymentReference("r1.x"), "r1.x", "only a number after the dot is an attempt");
  assert.equal(paymentAttemptOf("r1.x"), 1);
});
