// The resort saga bench: Reserve (paying in the same command) at `clients` callers, then at half
// that rate; every reservation followed on my page until its voucher is issued (Reserved,
// PaymentApproved and IssuedTicket recorded, reservation confirmed).
import { randomInt } from "node:crypto";
import { ReservationStatus } from "../../gen/resort/v1/reservation_pb.js";
import { MyPageService, type MyPage } from "../../gen/resort/v1/mypage_pb.js";
import { ReservationService } from "../../gen/resort/v1/reservation_pb.js";
import { unaryCaller, type UnaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate } from "../load.js";
import { daysAhead } from "../../mesh/testing/index.js";
import { followSagas, SagaBook, type ViewedSaga } from "./follow-sagas.js";
import type { SystemBench, SystemBenchContext } from "./system-bench.js";

/** A reservation as my page shows it; a cancelled one is final without its voucher. */
const viewed = (p: MyPage): ViewedSaga => ({
  id: p.reservationId, steps: p.steps, status: ReservationStatus[p.reservationStatus],
  endedAs: p.reservationStatus === ReservationStatus.CANCELLED ? "CANCELLED" : undefined,
});

function follow(list: UnaryCaller<typeof MyPageService.method.listMyPages.input, typeof MyPageService.method.listMyPages.output>, book: SagaBook, say: (line: string) => void) {
  return followSagas({
    book, say, finalSteps: ["Reserved", "PaymentApproved", "IssuedTicket"], completedBy: "IssuedTicket",
    page: async (customerId, pageToken) => {
      const page = await list({ customerId, pageSize: 1000, pageToken });
      return { rows: page.myPages.map(viewed), nextPageToken: page.nextPageToken };
    },
  });
}

export const resortBench: SystemBench = {
  system: "resort",
  async run({ stack, seconds, halfSeconds, clients, warmUpSeconds, say, measure }: SystemBenchContext) {
    const reserve = unaryCaller(stack.grpcAddress("resort-reservation"), ReservationService.method.reserve);
    const listMyPages = unaryCaller(stack.grpcAddress("resort-mypage"), MyPageService.method.listMyPages);
    const tag = String(randomInt(1000, 10_000));
    const into = (book: SagaBook) => ({
      call: (seq: number) => {
        const customerId = book.customerFor(seq);
        return reserve({ resort: "Seorak Hanwha", region: "Gangwon", date: daysAhead(24), persons: 4, rooms: 2, needs: "ocean view", cost: 300000n, paymentType: "card", customerId })
          .then((res) => ({ res, customerId }));
      },
      onSuccess: ({ res, customerId }: { res: { reservation?: { id: string } }; customerId: string }, sentAt: number) => book.add(customerId, res.reservation!.id, sentAt),
    });
    try {
      const warm = new SagaBook(`${tag}-0`);
      await closedLoop({ phase: "Reserve (warm-up)", seconds: warmUpSeconds, concurrency: clients, ...into(warm) });
      if ((await follow(listMyPages, warm, say)).completed === 0) throw new Error(`no warm-up reservation reached IssuedTicket; see ${stack.logPath}`);

      const fullBook = new SagaBook(`${tag}-1`);
      const [full, fullSagas] = await measure("full", async () => {
        const load = await closedLoop({ phase: "Reserve", seconds, concurrency: clients, ...into(fullBook) });
        return [load, await follow(listMyPages, fullBook, say)] as const;
      });
      const halfRate = Math.max(1, full.rate / 2);
      const halfBook = new SagaBook(`${tag}-2`);
      const [half, halfSagas] = await measure("half", async () => {
        const load = await fixedRate({ phase: `Reserve ${Math.round(halfRate)}/s`, seconds: halfSeconds, perSecond: halfRate, ...into(halfBook) });
        return [load, await follow(listMyPages, halfBook, say)] as const;
      });
      return {
        system: "resort",
        saga: "Reserve (pays through payment.Pay in the same command) until my page shows Reserved, PaymentApproved and IssuedTicket.",
        full, fullSagas, half, halfSagas,
        // Where the cores went is measured by bench/run.ts around every system bench alike.
        bound: "resort-reservation's Reserve (a pending-call row, payment.Pay, the reservation and its outbox row), then the voucher and my page from events, on 2 shared cores",
        commandCalls: 1,
      };
    } finally {
      reserve.close();
      listMyPages.close();
    }
  },
};
