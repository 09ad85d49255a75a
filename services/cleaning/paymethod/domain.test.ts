import assert from "node:assert/strict";
import { test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { abandonPaymethod, attemptReference, cardDigits, changeKind, checkPayable, deletePaymethod, masked, registerPaymethod, releasePaymentAttempt, startPaymentAttempt, type RequestToPay } from "./domain.js";

const pay1 = { id: "pay1", reference: "r1" };
const request: RequestToPay = { id: "r1", place: "Seoul", requestDate: "2026-12-01", price: { amount: 50000n, currency: "KRW" }, status: "ReservationApply", cancelPending: false };

test("a card number is 8 to 19 digits; only its last four are kept, shown masked", () => {
  assert.equal(cardDigits("4009 5003"), "40095003");
  assert.equal(cardDigits("1234-5678-9012-3456"), "1234567890123456");
  for (const bad of ["", "1234567", "12345678901234567890", "4009a003"]) assert.equal(cardDigits(bad), undefined, bad);
  const { state, events } = registerPaymethod("p1", { kind: "credit", digits: "40095003" }, request, pay1, undefined, new Date(0)) as Exclude<ReturnType<typeof registerPaymethod>, { refused: string }>;
  assert.equal(state.last4, "5003");
  assert.ok(!JSON.stringify(state, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes("40095003"));
  assert.deepEqual(events, [{ type: "KindRegistered", paymethodId: "p1", requestId: "r1", kind: "credit", number: "****5003", amount: request.price, paymentId: "pay1", paymentReference: "r1", place: "Seoul", requestDate: "2026-12-01" }]);
  assert.equal(masked("5003"), "****5003");
});

test("only an applied request without a payment method can be paid", () => {
  assert.equal(checkPayable(request, undefined), undefined);
  assert.equal(checkPayable({ ...request, status: "Paid" }, undefined)?.code, "REQUEST_PAID");
  assert.equal(checkPayable({ ...request, status: "ReservationCanceled" }, undefined)?.code, "REQUEST_CANCELED");
  assert.equal(checkPayable({ ...request, cancelPending: true }, undefined)?.code, "REQUEST_CANCELED");
  const registered = registerPaymethod("p1", { kind: "credit", digits: "40095003" }, request, pay1, undefined, new Date(0));
  assert.ok(!isRefusal(registered));
  assert.equal(checkPayable(request, registered.state)?.code, "PAYMETHOD_EXISTS");
  const second = registerPaymethod("p2", { kind: "debit", digits: "40095003" }, request, pay1, registered.state, new Date(1));
  assert.ok(isRefusal(second) && second.code === "PAYMETHOD_EXISTS");
});

test("each payment attempt of a request pays under its own reference; a lost one is voided alone", () => {
  const first = startPaymentAttempt(request, undefined, undefined, new Date(0));
  assert.ok(!isRefusal(first));
  assert.equal(attemptReference(first.state), "r1");
  const second = startPaymentAttempt(request, undefined, first.state, new Date(1));
  assert.ok(!isRefusal(second));
  assert.equal(attemptReference(second.state), "r1.2");
  // A call that never left the process gives its number back, unless a later attempt started meanwhile.
  assert.equal(attemptReference(releasePaymentAttempt(second.state, "r1.2", new Date(1)).state), "r1");
  assert.equal(attemptReference(releasePaymentAttempt(second.state, "r1", new Date(1)).state), "r1.2");
  assert.deepEqual(abandonPaymethod("r1.2", "timed out"), { type: "PaymethodAbandoned", requestId: "r1", paymentReference: "r1.2", reason: "timed out" });
  const registered = registerPaymethod("p1", { kind: "credit", digits: "40095003" }, request, { id: "pay2", reference: "r1.2" }, undefined, new Date(2));
  assert.ok(!isRefusal(registered));
  assert.deepEqual([registered.state.paymentReference, registered.events[0].type === "KindRegistered" && registered.events[0].paymentReference], ["r1.2", "r1.2"]);
  const third = startPaymentAttempt(request, registered.state, second.state, new Date(3));
  assert.ok(isRefusal(third) && third.code === "PAYMETHOD_EXISTS", "paid: no further attempt");
  const cancelled = startPaymentAttempt({ ...request, status: "ReservationCanceled" }, undefined, second.state, new Date(3));
  assert.ok(isRefusal(cancelled) && cancelled.code === "REQUEST_CANCELED");
});

test("changing the kind: KindChanged once; deleting: PaymethodDeleted once, then no change of kind", () => {
  const registered = registerPaymethod("p1", { kind: "credit", digits: "40095003" }, request, pay1, undefined, new Date(0));
  assert.ok(!isRefusal(registered));
  const changed = changeKind(registered.state, "debit", new Date(1));
  assert.ok(!isRefusal(changed));
  assert.equal(changed.state.status, "PaymentKindChanged");
  assert.deepEqual(changed.events, [{ type: "KindChanged", paymethodId: "p1", requestId: "r1", kind: "debit", previousKind: "credit" }]);
  const same = changeKind(changed.state, "debit", new Date(2));
  assert.ok(!isRefusal(same) && same.events.length === 0);
  const deleted = deletePaymethod(changed.state, new Date(3));
  assert.deepEqual(deleted.events, [{ type: "PaymethodDeleted", paymethodId: "p1", requestId: "r1", kind: "debit", number: "****5003" }]);
  assert.equal(deletePaymethod(deleted.state, new Date(4)).events.length, 0);
  const late = changeKind(deleted.state, "credit", new Date(5));
  assert.ok(isRefusal(late) && late.code === "PAYMETHOD_DELETED");
});
