import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Knex } from "knex";
import { forUpdate, isEvent, type Migration, type Policy, type ReceivedEvent } from "../../../mesh/index.js";
import { DeliveryStatus } from "../../../gen/flower/v1/delivery_pb.js";
import { PaymentStatus } from "../../../gen/payment/v1/payment_pb.js";
import * as flower from "../events.js";
import { paymentEvents } from "../../payment/events.js";
import { furtherStatus, type OrderStatus } from "./domain.js";
import { orderStatusToProto } from "./messages.js";

// The order-history read model (CQRS): fed only by events, never by asking other services.

const payment = paymentEvents("flower");

export const viewMigrations: Migration[] = [
  {
    name: "0002_order_history_view",
    async up(db) {
      await db.schema.createTable("order_histories", (t) => {
        t.string("order_id", 64).primary();
        t.string("flower_id", 64).notNullable();
        t.integer("qty").notNullable();
        t.string("address", 300).notNullable();
        t.string("phone_number", 32).notNullable().index();
        t.boolean("is_offline").notNullable();
        t.bigInteger("amount").notNullable();
        t.string("currency", 3).notNullable();
        t.string("status", 20).nullable();
        t.string("payment_status", 20).nullable();
        t.string("delivery_status", 20).nullable();
        t.datetime("updated_at", { precision: 3 }).notNullable().index();
      });
      await db.schema.createTable("order_history_steps", (t) => {
        t.string("event_id", 64).primary();
        t.string("order_id", 64).notNullable().index();
        t.string("event", 40).notNullable();
        t.string("description", 300).notNullable();
        t.datetime("occurred_at", { precision: 3 }).notNullable();
        t.datetime("recorded_at", { precision: 3 }).notNullable();
      });
    },
  },
];

type Change = { orderId: string; description: string; status?: OrderStatus; payment?: string; delivery?: string; placed?: Record<string, unknown> };

// What each event changes in an order's history row.
function changeOf(e: ReceivedEvent): Change | undefined {
  if (isEvent(e, flower.OrderPlaced)) {
    const m = e.message;
    return {
      orderId: m.orderId, status: "Placed", description: `order placed: ${m.qty} x flower ${m.flowerId}, ${m.isOffline ? "pick-up in store" : `delivery to ${m.address}`}`,
      placed: { flower_id: m.flowerId, qty: m.qty, address: m.address, phone_number: m.phoneNumber, is_offline: m.isOffline, amount: (m.amount?.amount ?? 0n).toString(), currency: m.amount?.currency ?? "" },
    };
  }
  if (isEvent(e, payment.PaymentApproved)) return { orderId: e.message.referenceId, payment: "Approved", description: "payment approved" };
  if (isEvent(e, payment.PaymentCancelled)) return { orderId: e.message.referenceId, payment: "Cancelled", description: "payment refunded" };
  if (isEvent(e, flower.FlowerWrapped)) return { orderId: e.message.orderId, status: "Wrapped", description: "flowers wrapped by the store" };
  if (isEvent(e, flower.FlowerSold)) return { orderId: e.message.orderId, status: "Sold", description: "flowers handed over in the store" };
  if (isEvent(e, flower.OrderRejected)) return { orderId: e.message.orderId, description: `rejected by the store: ${e.message.reason}` };
  if (isEvent(e, flower.DeliveryStarted)) return { orderId: e.message.orderId, status: "DeliveryStarted", delivery: "Started", description: "delivery started" };
  if (isEvent(e, flower.DeliveryCompleted)) return { orderId: e.message.orderId, status: "Delivered", delivery: "Completed", description: "delivered" };
  if (isEvent(e, flower.DeliveryCanceled)) return { orderId: e.message.orderId, delivery: "Canceled", description: "delivery canceled" };
  if (isEvent(e, flower.OrderCancelled)) return { orderId: e.message.orderId, status: "Cancelled", description: `order cancelled: ${e.message.reason}` };
  return undefined;
}

/** The projection that keeps the order history up to date. */
export const updateOrderHistory: Policy = {
  name: "updateOrderHistoryWhenOrderChanges",
  on: [
    flower.OrderPlaced, flower.OrderCancelled, flower.FlowerWrapped, flower.FlowerSold, flower.OrderRejected,
    flower.DeliveryStarted, flower.DeliveryCompleted, flower.DeliveryCanceled, payment.PaymentApproved, payment.PaymentCancelled,
  ],
  async handle(event, tx) {
    const change = changeOf(event);
    if (!change) return;
    const now = new Date();
    // Payment's events come on another stream and may arrive first: start the row blank.
    const row = await forUpdate(tx.db("order_histories").where({ order_id: change.orderId }).first());
    const next: Record<string, unknown> = { ...change.placed, updated_at: now };
    if (change.status) next.status = row?.status ? furtherStatus(row.status, change.status) : change.status;
    if (change.payment) next.payment_status = change.payment;
    if (change.delivery) next.delivery_status = change.delivery;
    if (row) await tx.db("order_histories").where({ order_id: change.orderId }).update(next);
    else {
      await tx.db("order_histories").insert({
        order_id: change.orderId, flower_id: "", qty: 0, address: "", phone_number: "", is_offline: false, amount: "0", currency: "", ...next,
      });
    }
    await tx.db("order_history_steps").insert({
      event_id: event.id, order_id: change.orderId, event: event.type.name, description: change.description.slice(0, 300),
      occurred_at: event.occurredAt, recorded_at: now,
    });
  },
};

const paymentStatusToProto: Record<string, PaymentStatus> = { Approved: PaymentStatus.APPROVED, Cancelled: PaymentStatus.CANCELLED };
const deliveryStatusToProto: Record<string, DeliveryStatus> = {
  Started: DeliveryStatus.STARTED, Completed: DeliveryStatus.COMPLETED, Canceled: DeliveryStatus.CANCELED,
};

/** Reads the order history, newest first, each order with its steps in the order they happened. */
export async function listOrderHistories(db: Knex, filter: { orderId: string; phoneNumber: string; limit: number }) {
  const q = db("order_histories").orderBy("updated_at", "desc").limit(filter.limit);
  if (filter.orderId) q.where({ order_id: filter.orderId });
  if (filter.phoneNumber) q.where({ phone_number: filter.phoneNumber });
  const rows = await q;
  const steps = rows.length === 0 ? [] : await db("order_history_steps")
    .whereIn("order_id", rows.map((r) => r.order_id)).orderBy([{ column: "occurred_at" }, { column: "event_id" }]);
  const stepsOf = new Map<string, typeof steps>();
  for (const step of steps) {
    const list = stepsOf.get(step.order_id);
    if (list) list.push(step);
    else stepsOf.set(step.order_id, [step]);
  }
  return rows.map((r) => ({
    orderId: r.order_id, flowerId: r.flower_id, qty: Number(r.qty), address: r.address, phoneNumber: r.phone_number,
    isOffline: Boolean(r.is_offline), amount: { amount: BigInt(r.amount), currency: r.currency },
    status: r.status ? orderStatusToProto[r.status as OrderStatus] : undefined,
    paymentStatus: paymentStatusToProto[r.payment_status] ?? PaymentStatus.UNSPECIFIED,
    deliveryStatus: deliveryStatusToProto[r.delivery_status] ?? DeliveryStatus.UNSPECIFIED,
    updatedAt: timestampFromDate(new Date(r.updated_at)),
    steps: (stepsOf.get(r.order_id) ?? []).map((s) => ({
      event: s.event, description: s.description,
      occurredAt: timestampFromDate(new Date(s.occurred_at)), recordedAt: timestampFromDate(new Date(s.recorded_at)),
    })),
  }));
}
