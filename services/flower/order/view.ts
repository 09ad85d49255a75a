import {
  bool, decide, int, money, on, policy, stepsTable, table, text, timestamp, toMessage, type Money, type PageRequest, type ReceivedEvent, type Repository, type Transaction,
  type ViewSteps,
} from "../../../mesh/index.js";
import { OrderHistorySchema } from "../../../gen/flower/v1/order_pb.js";
import { paymentEvents } from "../../payment/events.js";
import * as flower from "../events.js";
import { furtherStatus, type OrderStatus } from "./domain.js";

// The order-history read model (CQRS): fed only by events, never by asking other services.

interface OrderHistory {
  orderId: string; flowerId: string; qty: number; address: string; phoneNumber: string; isOffline: boolean; amount: Money;
  status?: OrderStatus; paymentStatus?: "Approved" | "Cancelled"; deliveryStatus?: "Started" | "Completed" | "Canceled"; updatedAt: Date;
}

export const histories = table<OrderHistory>("order_histories", {
  orderId: text(64).key(), flowerId: text(64), qty: int(), address: text(300), phoneNumber: text(32).index(), isOffline: bool(), amount: money(),
  status: text<OrderStatus>(20).optional(), paymentStatus: text<"Approved" | "Cancelled">(20).optional(),
  deliveryStatus: text<"Started" | "Completed" | "Canceled">(20).optional(), updatedAt: timestamp().index(),
});
export const steps = stepsTable("order_history_steps", "order_id");

/** What one event changes in its order's row, and how its step reads. */
type Change = Pick<OrderHistory, "status" | "paymentStatus" | "deliveryStatus"> & { description: string; placed?: Partial<OrderHistory> };

const payment = paymentEvents("flower");
const blank = (orderId: string, now: Date): OrderHistory =>
  ({ orderId, flowerId: "", qty: 0, address: "", phoneNumber: "", isOffline: false, amount: { amount: 0n, currency: "" }, updatedAt: now });

/** The projection (one policy over every event of an order) and the query over what it keeps. */
export function createOrderHistoryView(rows: Repository<OrderHistory>, steps: ViewSteps) {
  // Every event here names its order as its business key; payment's may arrive first, so a row may start blank.
  const note = async (tx: Transaction, event: ReceivedEvent, change: Change) => {
    const orderId = event.businessKey;
    const now = new Date();
    await rows.apply(tx, orderId, (row = blank(orderId, now)) => decide({
      ...row, ...change.placed, updatedAt: now,
      status: change.status && row.status ? furtherStatus(row.status, change.status) : change.status ?? row.status,
      paymentStatus: change.paymentStatus ?? row.paymentStatus, deliveryStatus: change.deliveryStatus ?? row.deliveryStatus,
    }));
    await steps.record(tx, event, change.description, { now });
  };

  return {
    projection: policy("updateOrderHistoryWhenOrderChanges",
      on(flower.OrderPlaced, (e, tx) => {
        const { flowerId, qty, address, phoneNumber, isOffline, amount } = e.message;
        const where = isOffline ? "pick-up in store" : `delivery to ${address}`;
        return note(tx, e, { status: "Placed", description: `order placed: ${qty} x flower ${flowerId}, ${where}`, placed: { flowerId, qty, address, phoneNumber, isOffline, amount } });
      }),
      on(payment.PaymentApproved, (e, tx) => note(tx, e, { paymentStatus: "Approved", description: "payment approved" })),
      on(payment.PaymentCancelled, (e, tx) => note(tx, e, { paymentStatus: "Cancelled", description: "payment refunded" })),
      on(flower.FlowerWrapped, (e, tx) => note(tx, e, { status: "Wrapped", description: "flowers wrapped by the store" })),
      on(flower.FlowerSold, (e, tx) => note(tx, e, { status: "Sold", description: "flowers handed over in the store" })),
      on(flower.OrderRejected, (e, tx) => note(tx, e, { description: `rejected by the store: ${e.message.reason}` })),
      on(flower.DeliveryStarted, (e, tx) => note(tx, e, { status: "DeliveryStarted", deliveryStatus: "Started", description: "delivery started" })),
      on(flower.DeliveryCompleted, (e, tx) => note(tx, e, { status: "Delivered", deliveryStatus: "Completed", description: "delivered" })),
      on(flower.DeliveryCanceled, (e, tx) => note(tx, e, { deliveryStatus: "Canceled", description: "delivery canceled" })),
      on(flower.OrderCancelRequested, (e, tx) => note(tx, e, { description: `cancel requested: ${e.message.reason}` })),
      on(flower.storeAnswers.CancelRefused, (e, tx) => note(tx, e, { description: `cancel refused: ${e.message.reason}` })),
      on(flower.deliveryAnswers.CancelRefused, (e, tx) => note(tx, e, { description: `cancel refused: ${e.message.reason}` })),
      on(flower.OrderCancelled, (e, tx) => note(tx, e, { status: "Cancelled", description: `order cancelled: ${e.message.reason}` })),
      // Never placed: explains the payment steps its refund leaves.
      on(flower.OrderAbandoned, (e, tx) => note(tx, e, { description: `order not placed: ${e.message.reason}` })),
    ),

    /** The order histories, newest first, each with its steps in the order they happened. */
    async list(filter: { orderId: string; phoneNumber: string } & PageRequest) {
      const { items: found, nextPageToken } = await rows.page({
        where: { orderId: filter.orderId || undefined, phoneNumber: filter.phoneNumber || undefined }, by: "updatedAt", pageSize: filter.pageSize, pageToken: filter.pageToken,
      });
      const withSteps = await steps.attach(found, (row) => row.orderId);
      return { orderHistories: withSteps.map((row) => toMessage(OrderHistorySchema, row)), nextPageToken };
    },
  };
}

export type OrderHistoryView = ReturnType<typeof createOrderHistoryView>;
