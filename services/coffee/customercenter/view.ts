import { decide, int, money, on, policy, table, text, timestamp, toMessage, type Money, type ReceivedEvent, type Repository, type Transaction } from "../../../mesh/index.js";
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
export interface MyPageStep { eventId: string; orderId: string; event: string; description: string; correlationId: string; occurredAt: Date; recordedAt: Date }

export const myPages = table<MyPage>("my_pages", {
  orderId: text(64).key(), customerId: text(64).index(), productName: text(64), qty: int(), amount: money(),
  status: text<OrderStatus>(16).optional(), paymentStatus: text<PaymentStatus>(16).optional(), productionStatus: text<ProductionStatus>(16).optional(),
  createdAt: timestamp().index(), updatedAt: timestamp(),
}, { resource: "my page" });
export const myPageSteps = table<MyPageStep>("my_page_steps", {
  eventId: text(64).key(), orderId: text(64).index(), event: text(40), description: text(300), correlationId: text(255), occurredAt: timestamp(), recordedAt: timestamp(),
});

/** What one event changes in its order's row, and how its step reads. */
type Change = Pick<MyPage, "status" | "paymentStatus" | "productionStatus"> & { description: string; ordered?: Partial<MyPage> };

// Reports arrive out of order; the view never moves an order back.
const orderProgress: Record<OrderStatus, number> = { Requested: 0, Started: 1, Completed: 2, Canceled: 3 };
const productionProgress: Record<ProductionStatus, number> = { Requested: 0, Started: 1, Completed: 2, Rejected: 3, Canceled: 3 };
const further = <S extends string>(progress: Record<S, number>, current: S | undefined, reported: S | undefined) =>
  reported === undefined ? current : current === undefined || progress[reported] > progress[current] ? reported : current;

const payment = paymentEvents("coffee");
const blank = (orderId: string, now: Date): MyPage =>
  ({ orderId, customerId: "", productName: "", qty: 0, amount: { amount: 0n, currency: "" }, createdAt: now, updatedAt: now });

/** The projection (one policy over every event of an order) and the query over what it keeps. */
export function createMyPageView(rows: Repository<MyPage>, stepRows: Repository<MyPageStep>) {
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
    const { id: eventId, type, correlationId, occurredAt } = event;
    await stepRows.record(tx, decide({ eventId, orderId, event: type.name, description: change.description.slice(0, 300), correlationId, occurredAt, recordedAt: now }), undefined);
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
      const ids = found.items.map((r) => r.orderId);
      const stepsOf = new Map(ids.map((id) => [id, [] as MyPageStep[]]));
      if (ids.length > 0) {
        const all = await stepRows.list({ match: (q, column) => q.whereIn(column("orderId"), ids), orderBy: [["occurredAt", "asc"], ["eventId", "asc"]], limit: ids.length * 100 });
        for (const step of all) stepsOf.get(step.orderId)!.push(step);
      }
      return { myPages: found.items.map((row) => toMessage(MyPageSchema, { ...row, steps: stepsOf.get(row.orderId) })), nextPageToken: found.nextPageToken };
    },
  };
}

export type MyPageView = ReturnType<typeof createMyPageView>;
