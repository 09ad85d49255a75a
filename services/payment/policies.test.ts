import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineEvent } from "../../mesh/index.js";
import { OrderCancelledSchema } from "../../gen/flower/v1/events_pb.js";
import { compensation, compensations } from "./compensations.js";
import { cancelPaymentPolicies } from "./policies.js";

describe("cancelPaymentPolicies", () => {
  it("makes one policy per compensation, named for its trigger: cancelPaymentWhenOrderCancelled", () => {
    const policies = cancelPaymentPolicies(compensations);
    assert.deepEqual(policies.map((p) => p.name), ["cancelPaymentWhenOrderCancelled"]);
    assert.deepEqual(policies[0].on.map((t) => t.subject), ["flower.order.OrderCancelled"]);
  });

  it("adds the system to the name only where two systems' events share a name", () => {
    const other = compensation("rental", defineEvent("rental.reservation", OrderCancelledSchema), (e) => e.orderId);
    const names = cancelPaymentPolicies([...compensations, other]).map((p) => p.name);
    assert.deepEqual(names, ["cancelPaymentWhenOrderCancelledInFlower", "cancelPaymentWhenOrderCancelledInRental"]);
  });
});
