// The coffee saga at load: PlaceOrder (priced, paid, Ordered) at `clients` concurrent callers,
// then at half the rate it reached; every order followed on my page (customercenter) until the
// kitchen produced it (Ordered, PaymentApproved, ProductionStarted, Produced) or it was cancelled.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { setTimeout as sleep } from "node:timers/promises";
import { CustomerCenterService, type MyPage } from "../../gen/coffee/v1/customercenter_pb.js";
import { OrderService, OrderStatus } from "../../gen/coffee/v1/order_pb.js";
import { StockService } from "../../gen/coffee/v1/stock_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate, Samples, type LoadResult, type LoopOptions } from "../load.js";
import type { PlaceOrderResponse } from "../../gen/coffee/v1/order_pb.js";
import type { SystemBench, SystemBenchContext, SystemSagas } from "./system-bench.js";

const finalSteps = ["Ordered", "PaymentApproved", "ProductionStarted", "Produced"];
/** At most this many orders per customer, so one page of my page reads a whole bucket. */
const BUCKET = 500;
const menu = ["Americano", "Latte", "Cappuccino", "Espresso", "Mocha", "Tea"];

/** The orders of one phase, bucketed by customer. */
function createBook(tag: string) {
  const sentAt = new Map<string, number>();
  const buckets = new Map<string, Set<string>>();
  return {
    sentAt, buckets,
    customerFor: (seq: number) => `bench-${tag}-${Math.floor(seq / BUCKET)}`,
    add(customerId: string, orderId: string, at: number) {
      sentAt.set(orderId, at);
      buckets.set(customerId, (buckets.get(customerId) ?? new Set()).add(orderId));
    },
  };
}
type Book = ReturnType<typeof createBook>;

const isFinal = (p: MyPage) => p.status === OrderStatus.CANCELED || finalSteps.every((e) => p.steps.some((s) => s.event === e));

async function follow(context: SystemBenchContext, book: Book): Promise<SystemSagas> {
  const list = unaryCaller(context.stack.grpcAddress("coffee-customercenter"), CustomerCenterService.method.listMyPages);
  const final = new Map<string, MyPage>();
  const latest = new Map<string, MyPage>();
  const pending = new Map([...book.buckets].map(([c, ids]) => [c, new Set(ids)]));
  const t0 = performance.now();
  let moved = t0;
  try {
    while (pending.size > 0 && performance.now() - t0 < 120_000 && performance.now() - moved < 15_000) {
      for (const [customerId, ids] of pending) {
        const { myPages } = await list({ customerId, pageSize: 1000 }).catch(() => ({ myPages: [] as MyPage[] }));
        for (const p of myPages) {
          if (!ids.has(p.orderId)) continue;
          latest.set(p.orderId, p);
          if (isFinal(p)) {
            final.set(p.orderId, p);
            ids.delete(p.orderId);
            moved = performance.now();
          }
        }
        if (ids.size === 0) pending.delete(customerId);
      }
      if (pending.size > 0) await sleep(500);
    }
  } finally {
    list.close();
  }
  const lag = new Samples();
  let completed = 0;
  let lastCompletedMs = 0;
  for (const p of final.values()) {
    if (p.status !== OrderStatus.CANCELED) completed++;
    for (const s of p.steps) {
      const recorded = timestampMs(s.recordedAt!);
      lag.push(recorded - timestampMs(s.occurredAt!));
      if (s.event === "Produced") lastCompletedMs = Math.max(lastCompletedMs, recorded);
    }
  }
  const other: Record<string, number> = {};
  for (const id of book.sentAt.keys()) {
    const p = final.get(id) ?? latest.get(id);
    const status = !p ? "NOT_IN_VIEW" : final.has(id) && p.status !== OrderStatus.CANCELED ? undefined : OrderStatus[p.status];
    if (status) other[status] = (other[status] ?? 0) + 1;
  }
  const firstSentMs = Math.min(...book.sentAt.values());
  const span = (lastCompletedMs - firstSentMs) / 1000;
  return { started: book.sentAt.size, completed, other, sagasPerSecond: completed > 0 && span > 0 ? completed / span : 0, lag };
}

export const coffeeBench: SystemBench = {
  system: "coffee",
  async run(context) {
    const { stack, clients, seconds, halfSeconds, say } = context;
    // Enough ingredients that no order is rejected for stock (every item starts with 100).
    const stock = unaryCaller(stack.grpcAddress("coffee-stock"), StockService.method.addStock);
    for (const productName of menu) for (let i = 0; i < 5; i++) await stock({ productName, qty: 100_000 });
    stock.close();
    const place = unaryCaller(stack.grpcAddress("coffee-order"), OrderService.method.placeOrder);
    const phase = async (name: string, run: (options: LoopOptions<PlaceOrderResponse>) => Promise<LoadResult>) => {
      const book = createBook(`${name}${Date.now() % 100000}`);
      const result = await run({
        phase: `coffee ${name}`, seconds, progress: say,
        call: (seq) => place({ productName: menu[seq % menu.length], qty: 1, customerId: book.customerFor(seq) }),
        onSuccess: (answer, sentAt) => book.add(answer.order!.customerId, answer.order!.id, sentAt),
      });
      return { result, sagas: await follow(context, book) };
    };
    try {
      const full = await phase("full", (o) => closedLoop({ ...o, concurrency: clients }));
      const half = await phase("half", (o) => fixedRate({ ...o, seconds: halfSeconds, perSecond: Math.max(1, Math.round(full.result.rate / 2)) }));
      return {
        system: "coffee",
        saga: "PlaceOrder (menu price, payment.Pay, Ordered) until my page shows Produced (kitchen reserved stock synchronously, started and made it)",
        full: full.result, fullSagas: full.sagas, half: half.result, halfSagas: half.sagas,
        bound: "coffee-order's PlaceOrder (a pending-call row, payment.Pay, the order and its outbox row: three transactions) and the kitchen's synchronous stock.Reduce per order, on 2 shared cores",
      };
    } finally {
      place.close();
    }
  },
};
