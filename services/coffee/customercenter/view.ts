import {
  decide, further, int, money, on, policy, stepsTable, table, text, timestamp, toMessage, type Money, type ReceivedEvent, type Repository, type Transaction, type ViewSteps,
} from "../../../mesh/index.js";
import { MyPageSchema } from "../../../gen/coffee/v1/customercenter_pb.js";
import { paymentEvents } from "../../payment/events.js";
import * as coffee from "../events.js";

// My page (CQRS): one row per order and a step per event, fed only by events, never by asking
// another service.

type OrderStatus = "Requested" | "Started" | "Completed" | "Canceled";
type ProductionStatus = "Requested" | "Started" | "Completed" | "Rejected" | "Canceled";
type PaymentStatus = "Approved" | "Cancelled";

export interface MyPage {
  orderId: string; customerId: string; productName: string; qty: number; amount: Money;
  status?: OrderStatus; paymentStatus?: PaymentStatus; productionStatus?: ProductionStatus; createdAt: Date; updatedAt: Date;
}

export const myPages = table<MyPage>("my_pages", {
  orderId: text(64).key(), customerId: text(64).index(), productName: text(64), qty: int(), amount: money(),
  status: text<OrderStatus>(16).optional(), paymentStatus: text<PaymentStatus>(16).optional(), productionStatus: text<ProductionStatus>(16).optional(),
  createdAt: timestamp().index(), updatedAt: timestamp(),
}, { resource: "my page" });
export const myPageSteps = stepsTable("my_page_steps", "order_id");

/** What one event changes in its order's row, and how its step reads. */
type Change = Pick<MyPage, "status" | "paymentStatus" | "productionStatus"> & { description: string; ordered?: Partial<MyPage> };

// Reports arrive out of order; the view never moves an order back.
const orderProgress: Record<OrderStatus, number> = { Requested: 0, Started: 1, Completed: 2, Canceled: 3 };
const productionProgress: Record<ProductionStatus, number> = { Requested: 0, Started: 1, Completed: 2, Rejected: 3, Canceled: 3 };

const payment = paymentEvents("coffee");
const blank = (orderId: string, now: Date): MyPage =>
  ({ orderId, customerId: "", productName: "", qty: 0, amount: { amount: 0n, currency: "" }, createdAt: now, updatedAt: now });

/** The projection (one policy over every event of an order) and the query over what it keeps. */
export function createMyPageView(rows: Repository<MyPage>, steps: ViewSteps) {
  // Every event here names its order as its business key; payment's may arrive first, so a row may start blank.
  const note = async (tx: Transaction, event: ReceivedEvent, change: Change) => {
    const orderId = event.businessKey;
    const now = new Date();
    await rows.apply(tx, orderId, (row = blank(orderId, now)) => decide({
      ...row, ...change.ordered, updatedAt: now,
      status: further(orderProgress, row.status, change.status),
      paymentStatus: change.paymentStatus ?? row.paymentStatus,
      productionStatus: further(productionProgress, row.productionStatus, change.productionStatus),
    }));
    await steps.record(tx, event, change.description, { now });
  };

  return {
    projection: policy("updateMyPageWhenOrderChanges",
      on(coffee.Ordered, (e, tx) => {
        const { customerId, productName, qty, amount } = e.message;
        return note(tx, e, { status: "Requested", description: `ordered ${qty} x ${productName}`, ordered: { customerId, productName, qty, amount: amount ?? { amount: 0n, currency: "" } } });
      }),
      on(payment.PaymentApproved, (e, tx) => note(tx, e, { paymentStatus: "Approved", description: "payment approved" })),
      on(payment.PaymentCancelled, (e, tx) => note(tx, e, { paymentStatus: "Cancelled", description: "payment refunded" })),
      on(coffee.ProductionStarted, (e, tx) => note(tx, e, { status: "Started", productionStatus: "Started", description: "production started: ingredients reserved" })),
      on(coffee.Produced, (e, tx) => note(tx, e, { status: "Completed", productionStatus: "Completed", description: "produced: ready to pick up" })),
      on(coffee.ProductionRejected, (e, tx) => note(tx, e, { productionStatus: "Rejected", description: `rejected by the kitchen: ${e.message.reason}` })),
      on(coffee.ProductCanceled, (e, tx) => note(tx, e, { productionStatus: "Canceled", description: "production canceled" })),
      on(coffee.productAnswers.CancelRefused, (e, tx) => note(tx, e, { description: `cancel refused: ${e.message.reason}` })),
      on(coffee.OrderCanceled, (e, tx) => note(tx, e, { status: "Canceled", description: `order canceled: ${e.message.reason}` })),
      // Never taken: explains the payment steps its refund leaves.
      on(coffee.OrderAbandoned, (e, tx) => note(tx, e, { description: `order not taken: ${e.message.reason}` })),
    ),

    /** One page of my page rows, newest first, each with its steps in the order they happened. */
    async page(filter: { customerId: string; orderId: string; pageSize: number; pageToken: string }) {
      const found = await rows.page({
        by: "createdAt", where: { orderId: filter.orderId || undefined, customerId: filter.customerId || undefined }, pageSize: filter.pageSize, pageToken: filter.pageToken,
      });
      const withSteps = await steps.attach(found.items, (row) => row.orderId);
      return { myPages: withSteps.map((row) => toMessage(MyPageSchema, row)), nextPageToken: found.nextPageToken };
    },
  };
}

export type MyPageView = ReturnType<typeof createMyPageView>;
