import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineEvent } from "../../mesh/index.js";
import { CancelRequestSchema } from "../../gen/payment/v1/payment_pb.js";
import { refundWhen } from "./plug-in.js";
import { cancelPaymentPolicies } from "./policies.js";

// Two made-up systems whose cancellations share a message name, as resort's and rental's ReservationCancelled will.
const shopCancelled = defineEvent("shop.order", CancelRequestSchema, (e) => e.referenceId);
const rentCancelled = defineEvent("rent.reservation", CancelRequestSchema, (e) => e.referenceId);
const refund = (event: typeof shopCancelled) => refundWhen(event, (e) => e.reason);
const names = (systems: Parameters<typeof cancelPaymentPolicies>[0]) => cancelPaymentPolicies(systems, undefined as never).map((p) => [p.name, p.on.map((t) => t.subject)]);

describe("cancelPaymentPolicies", () => {
  it("makes one policy per registered refund, named for its trigger", () => {
    assert.deepEqual(names([{ name: "shop", refunds: [refund(shopCancelled)] }, { name: "quiet" }]), [["cancelPaymentWhenCancelRequest", ["shop.order.CancelRequest"]]]);
  });

  it("adds the system to the name only where two systems' events share a name", () => {
    assert.deepEqual(names([{ name: "shop", refunds: [refund(shopCancelled)] }, { name: "rent", refunds: [refund(rentCancelled)] }]), [
      ["cancelPaymentWhenCancelRequestInShop", ["shop.order.CancelRequest"]],
      ["cancelPaymentWhenCancelRequestInRent", ["rent.reservation.CancelRequest"]],
    ]);
  });
});
