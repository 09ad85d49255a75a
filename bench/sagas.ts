// Follows the orders a run placed through the order-history view until each saga is done:
// how many reached DeliveryStarted, when the last did, and the view's lag on every step.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { setTimeout as sleep } from "node:timers/promises";
import { OrderStatus, type OrderHistory, type OrderService } from "../gen/flower/v1/order_pb.js";
import type { UnaryCaller } from "./grpc-client.js";
import { Samples } from "./load.js";

type ListHistories = UnaryCaller<typeof OrderService.method.listOrderHistories.input, typeof OrderService.method.listOrderHistories.output>;

/** The steps an online order's history holds once its saga is through (delivery started). */
const finalSteps = ["OrderPlaced", "PaymentApproved", "FlowerWrapped", "DeliveryStarted"];
/** The view answers at most this many orders per phone number, so each bucket stays below it. */
const BUCKET = 500;

/**
 * The orders of one run. Each gets a phone number shared by at most BUCKET orders, so the
 * whole run is read back with one ListOrderHistories call per bucket instead of one per order.
 */
export class OrderBook {
  readonly sentAt = new Map<string, number>();
  readonly buckets = new Map<string, Set<string>>();

  /** `tag`: digits that set this run's phone numbers apart from every other run's. */
  constructor(private readonly tag: string) {}

  phoneFor(seq: number): string {
    return `010-${this.tag}-${String(Math.floor(seq / BUCKET)).padStart(5, "0")}`;
  }

  add(phone: string, orderId: string, sentAtMs: number): void {
    this.sentAt.set(orderId, sentAtMs);
    const bucket = this.buckets.get(phone) ?? new Set();
    this.buckets.set(phone, bucket.add(orderId));
  }
}

/** What became of a run's orders. */
export interface SagaResult {
  placed: number;
  /** Reached DeliveryStarted (with every earlier step recorded). */
  completed: number;
  /** Cancelled instead (e.g. rejected by the store). */
  cancelled: number;
  /** Neither, when collection gave up; by the view's status. */
  unfinished: Record<string, number>;
  firstSentMs: number;
  lastSentMs: number;
  /** When the view recorded the last DeliveryStarted. */
  lastCompletedMs: number;
  /** completed ÷ (last completion − first order sent). */
  sagasPerSecond: number;
  /** Step recordedAt − occurredAt, ms: all steps, and by event. */
  lag: Samples;
  lagByEvent: Map<string, Samples>;
}

const isFinal = (h: OrderHistory) =>
  h.status === OrderStatus.CANCELLED || finalSteps.every((e) => h.steps.some((s) => s.event === e));

/**
 * Reads the view until every order of `book` is final, or nothing has moved for `stallMs`, or
 * `timeoutMs` passed. Polls one bucket at a time, so the load it adds stays small.
 */
export async function collectSagas(
  list: ListHistories,
  book: OrderBook,
  options: { timeoutMs: number; stallMs: number; say: (line: string) => void },
): Promise<SagaResult> {
  const final = new Map<string, OrderHistory>();
  const latest = new Map<string, OrderHistory>();
  const pending = new Map([...book.buckets].map(([phone, ids]) => [phone, new Set(ids)]));
  const t0 = performance.now();
  let lastProgressAt = t0;
  let lastSaid = t0;
  while (pending.size > 0 && performance.now() - t0 < options.timeoutMs && performance.now() - lastProgressAt < options.stallMs) {
    for (const [phone, ids] of pending) {
      const { orderHistories } = await list({ phoneNumber: phone, pageSize: 1000 }).catch(() => ({ orderHistories: [] as OrderHistory[] }));
      for (const h of orderHistories) {
        if (!ids.has(h.orderId)) continue;
        latest.set(h.orderId, h);
        if (isFinal(h)) {
          final.set(h.orderId, h);
          ids.delete(h.orderId);
          lastProgressAt = performance.now();
        }
      }
      if (ids.size === 0) pending.delete(phone);
    }
    if (performance.now() - lastSaid >= 1000) {
      lastSaid = performance.now();
      options.say(`  ${"sagas".padEnd(22)} ${((lastSaid - t0) / 1000).toFixed(0).padStart(3)} s  ${final.size.toLocaleString("en-US").padStart(9)} of ${book.sentAt.size.toLocaleString("en-US")} final`);
    }
    if (pending.size > 0) await sleep(500);
  }
  return summarize(book, final, latest);
}

function summarize(book: OrderBook, final: Map<string, OrderHistory>, latest: Map<string, OrderHistory>): SagaResult {
  const lag = new Samples();
  const lagByEvent = new Map<string, Samples>();
  let completed = 0;
  let cancelled = 0;
  let lastCompletedMs = 0;
  for (const h of final.values()) {
    if (h.status === OrderStatus.CANCELLED) cancelled++;
    else completed++;
    for (const step of h.steps) {
      const recorded = timestampMs(step.recordedAt!);
      const ms = recorded - timestampMs(step.occurredAt!);
      lag.push(ms);
      if (!lagByEvent.has(step.event)) lagByEvent.set(step.event, new Samples());
      lagByEvent.get(step.event)!.push(ms);
      if (step.event === "DeliveryStarted") lastCompletedMs = Math.max(lastCompletedMs, recorded);
    }
  }
  const unfinished: Record<string, number> = {};
  for (const id of book.sentAt.keys()) {
    if (final.has(id)) continue;
    const status = latest.has(id) ? OrderStatus[latest.get(id)!.status] : "NOT_IN_VIEW";
    unfinished[status] = (unfinished[status] ?? 0) + 1;
  }
  let firstSentMs = Infinity;
  let lastSentMs = 0;
  for (const t of book.sentAt.values()) {
    firstSentMs = Math.min(firstSentMs, t);
    lastSentMs = Math.max(lastSentMs, t);
  }
  const span = (lastCompletedMs - firstSentMs) / 1000;
  return {
    placed: book.sentAt.size, completed, cancelled, unfinished, firstSentMs, lastSentMs, lastCompletedMs,
    sagasPerSecond: completed > 0 && span > 0 ? completed / span : 0, lag, lagByEvent,
  };
}
