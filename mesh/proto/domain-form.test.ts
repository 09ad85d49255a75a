import assert from "node:assert/strict";
import { test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { MoneySchema } from "../../gen/common/v1/money_pb.js";
import { ListOrdersResponseSchema, OrderSchema, OrderStatus, OrderStatusSchema } from "../../gen/meshtest/v1/sample_pb.js";
import { domainEnum, enumValue, screamingSnake, toMessage } from "./domain-form.js";

const placedAt = new Date("2026-02-03T04:05:06.789Z");

test("toMessage: Dates become Timestamps, status names enum values, nested messages likewise", () => {
  const order = toMessage(OrderSchema, {
    id: "o-1", itemId: "rose", qty: 2, isPickup: true, status: "DeliveryStarted", placedAt, amount: { amount: 3000n, currency: "KRW" },
  });
  assert.deepEqual(order, create(OrderSchema, {
    id: "o-1", itemId: "rose", qty: 2, isPickup: true, status: OrderStatus.DELIVERY_STARTED, placedAt: timestampFromDate(placedAt),
    amount: { amount: 3000n, currency: "KRW" },
  }));
  assert.deepEqual(fromBinary(OrderSchema, toBinary(OrderSchema, order)), order, "a message protobuf-es can encode");

  const list = toMessage(ListOrdersResponseSchema, { orders: [{ id: "a", status: "Cancelled", placedAt }, { id: "b", status: OrderStatus.PLACED }] });
  assert.deepEqual(list.orders.map((o) => [o.id, o.status, o.placedAt?.seconds]), [
    ["a", OrderStatus.CANCELLED, BigInt(Math.floor(placedAt.getTime() / 1000))],
    ["b", OrderStatus.PLACED, undefined],
  ]);
});

test("toMessage: what is already protobuf passes as it is; a domain number fills an int64; fields the message lacks are left out", () => {
  const amount = create(MoneySchema, { amount: 5n, currency: "USD" });
  const stamp = timestampFromDate(placedAt);
  const order = toMessage(OrderSchema, { amount, placedAt: stamp });
  assert.equal(order.amount, amount);
  assert.equal(order.placedAt, stamp);
  // A domain may count money in a number; the message's int64 takes it as a bigint.
  assert.equal(toMessage(OrderSchema, { amount: { amount: 7 as unknown as bigint, currency: "KRW" } }).amount?.amount, 7n);
  assert.ok(!("colour" in toMessage(OrderSchema, { id: "x", colour: "red" } as never)));
});

test("a status name with no enum value throws, naming the enum and what was looked for", () => {
  assert.throws(() => toMessage(OrderSchema, { status: "Shipped" }), /^Error: meshtest\.v1\.OrderStatus has no value for "Shipped" \(looked for SHIPPED\)$/);
  for (const name of ["DeliveryStarted", "deliveryStarted", "delivery_started", "delivery-started", "DELIVERY_STARTED", "ORDER_STATUS_DELIVERY_STARTED"]) {
    assert.equal(enumValue(OrderStatusSchema, name), OrderStatus.DELIVERY_STARTED, name);
  }
  assert.equal(screamingSnake("DeliveryStarted"), "DELIVERY_STARTED");
});

test("domainEnum pairs a domain's names with the enum both ways, checked when it is made", () => {
  const status = domainEnum(OrderStatusSchema, ["Placed", "DeliveryStarted", "Cancelled"] as const);
  assert.equal(status.toProto("DeliveryStarted"), OrderStatus.DELIVERY_STARTED);
  assert.equal(status.toProto("Cancelled"), OrderStatus.CANCELLED);
  assert.equal(status.fromProto(OrderStatus.PLACED), "Placed");
  assert.equal(status.fromProto(OrderStatus.DELIVERY_STARTED), "DeliveryStarted");
  assert.equal(status.fromProto(OrderStatus.UNSPECIFIED), undefined);
  assert.equal(status.fromProto(OrderStatus.DELIVERED), undefined, "a value the domain has no name for");
  assert.throws(() => domainEnum(OrderStatusSchema, ["Placed", "Lost"]), /meshtest\.v1\.OrderStatus has no value for "Lost"/);
});
