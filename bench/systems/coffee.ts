// The coffee saga at load: PlaceOrder (priced, paid, Ordered) at `clients` concurrent callers,
// then at half the rate it reached; every order followed on my page (customercenter) until the
// kitchen produced it (Ordered, PaymentApproved, ProductionStarted, Produced) or it was cancelled.
import { CustomerCenterService, type MyPage } from "../../gen/coffee/v1/customercenter_pb.js";
import { OrderService, OrderStatus } from "../../gen/coffee/v1/order_pb.js";
import { StockService } from "../../gen/coffee/v1/stock_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate, type LoadResult, type LoopOptions } from "../load.js";
import type { PlaceOrderResponse } from "../../gen/coffee/v1/order_pb.js";
import { menu } from "../../services/coffee/menu.js";
import { followSagas, SagaBook, type ViewedSaga } from "./follow-sagas.js";
import type { SystemBench, SystemBenchContext, SystemSagas } from "./system-bench.js";

const menuItems = [...menu.keys()];

/** An order as my page shows it; a cancelled one is final without being produced. */
const viewed = (p: MyPage): ViewedSaga => ({
  id: p.orderId, steps: p.steps, status: OrderStatus[p.status],
  endedAs: p.status === OrderStatus.CANCELED ? "CANCELED" : undefined,
});

async function follow(context: SystemBenchContext, book: SagaBook): Promise<SystemSagas> {
  const list = unaryCaller(context.stack.grpcAddress("coffee-customercenter"), CustomerCenterService.method.listMyPages);
  try {
    return await followSagas({
      book, say: context.say, finalSteps: ["Ordered", "PaymentApproved", "ProductionStarted", "Produced"], completedBy: "Produced",
      page: async (customerId, pageToken) => {
        const page = await list({ customerId, pageSize: 1000, pageToken });
        return { rows: page.myPages.map(viewed), nextPageToken: page.nextPageToken };
      },
    });
  } finally {
    list.close();
  }
}

export const coffeeBench: SystemBench = {
  system: "coffee",
  async run(context) {
    const { stack, clients, seconds, halfSeconds, say } = context;
    // Enough ingredients that no order is rejected for stock (every item starts with 100).
    const stock = unaryCaller(stack.grpcAddress("coffee-stock"), StockService.method.addStock);
    for (const productName of menuItems) for (let i = 0; i < 5; i++) await stock({ productName, qty: 100_000 });
    stock.close();
    const place = unaryCaller(stack.grpcAddress("coffee-order"), OrderService.method.placeOrder);
    const phase = async (name: string, run: (options: LoopOptions<PlaceOrderResponse>) => Promise<LoadResult>) => {
      const book = new SagaBook(`${name}${Date.now() % 100000}`);
      const result = await run({
        phase: `coffee ${name}`, seconds, progress: say,
        call: (seq) => place({ productName: menuItems[seq % menuItems.length], qty: 1, customerId: book.customerFor(seq) }),
        onSuccess: (answer, sentAt) => book.add(answer.order!.customerId, answer.order!.id, sentAt),
      });
      return { result, sagas: await follow(context, book) };
    };
    try {
      await phase("warm-up", (o) => closedLoop({ ...o, seconds: context.warmUpSeconds, concurrency: clients }));
      const full = await context.measure("full", () => phase("full", (o) => closedLoop({ ...o, concurrency: clients })));
      const half = await context.measure("half", () =>
        phase("half", (o) => fixedRate({ ...o, seconds: halfSeconds, perSecond: Math.max(1, Math.round(full.result.rate / 2)) })));
      return {
        system: "coffee",
        saga: "PlaceOrder (menu price, payment.Pay, Ordered) until my page shows Produced (kitchen reserved stock synchronously, started and made it)",
        full: full.result, fullSagas: full.sagas, half: half.result, halfSagas: half.sagas,
        bound: "coffee-order's PlaceOrder (a pending-call row, payment.Pay, then the order and its outbox row) and the kitchen's synchronous stock.Reduce per order, on 2 shared cores",
        commandCalls: 1,
      };
    } finally {
      place.close();
    }
  },
};
