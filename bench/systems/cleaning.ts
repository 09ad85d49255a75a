// The cleaning system's saga bench: apply for a cleaning and register its payment method (which
// pays synchronously) as one call, then follow every request through the dashboard until the
// cleaner's job is confirmed (KindRegistered, PaymentApproved and CleaningConfirmed recorded).
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DashBoardService, type DashBoardView } from "../../gen/cleaning/v1/dashboard_pb.js";
import { PaymethodService } from "../../gen/cleaning/v1/paymethod_pb.js";
import { CleaningReservationService, ReservationStatus } from "../../gen/cleaning/v1/reservation_pb.js";
import { daysAhead } from "../../mesh/testing/index.js";
import { closedLoop, fixedRate } from "../load.js";
import { followSagas, SagaBook, type ViewedSaga } from "./follow-sagas.js";
import type { SystemBench, SystemBenchContext } from "./system-bench.js";

/** A request as the dashboard shows it; a cancelled one is final without being confirmed. */
const viewed = (v: DashBoardView): ViewedSaga => ({
  id: v.requestId, steps: v.steps, status: ReservationStatus[v.status],
  endedAs: v.status === ReservationStatus.RESERVATION_CANCELED ? "RESERVATION_CANCELED" : undefined,
});

async function run(context: SystemBenchContext, phase: string, tag: string, load: (call: (seq: number) => Promise<void>) => ReturnType<typeof closedLoop>) {
  const transport = (id: string) => createGrpcTransport({ baseUrl: `http://${context.stack.grpcAddress(id)}` });
  const reservations = createClient(CleaningReservationService, transport("cleaning-reservation"));
  const paymethods = createClient(PaymethodService, transport("cleaning-paymethod"));
  const dashboard = createClient(DashBoardService, transport("cleaning-dashboard"));
  const book = new SagaBook(tag);
  const result = await load(async (seq) => {
    const customerId = book.customerFor(seq);
    const sentAt = Date.now();
    const { cleaningReservation: r } = await reservations.createCleaningReservation({ place: "Seoul Gangnam", requestDate: daysAhead(1), price: 50000n, customerId });
    await paymethods.registerPaymethod({ requestId: r!.id, kind: "credit", number: "4111111111111111" });
    book.add(customerId, r!.id, sentAt);
  });
  const sagas = await followSagas({
    book, say: context.say, finalSteps: ["KindRegistered", "PaymentApproved", "CleaningConfirmed"], completedBy: "CleaningConfirmed",
    page: async (customerId, pageToken) => {
      const page = await dashboard.listDashBoardViews({ customerId, pageSize: 1000, pageToken });
      return { rows: page.dashBoardViews.map(viewed), nextPageToken: page.nextPageToken };
    },
  });
  context.say(`cleaning ${phase}: ${result.rate.toFixed(0)} registrations/s, ${sagas.completed}/${sagas.started} sagas complete`);
  return { result, sagas };
}

/** The cleaning bench, registered in bench/systems/index.ts. */
export const cleaningBench: SystemBench = {
  system: "cleaning",
  async run(context) {
    const tag = Date.now().toString(36);
    await run(context, "warm-up", `${tag}w`, (call) => closedLoop({ phase: "cleaning (warm-up)", seconds: context.warmUpSeconds, concurrency: context.clients, call }));
    const full = await context.measure("full", () =>
      run(context, "full", `${tag}f`, (call) => closedLoop({ phase: "cleaning full", seconds: context.seconds, concurrency: context.clients, call })));
    const half = await context.measure("half", () => run(context, "half", `${tag}h`, (call) =>
      fixedRate({ phase: "cleaning half", seconds: context.halfSeconds, perSecond: Math.max(1, full.result.rate / 2), call })));
    return {
      system: "cleaning",
      saga: "apply for a cleaning and register its payment method (paid synchronously) in one call; complete when the dashboard shows KindRegistered, PaymentApproved and CleaningConfirmed",
      full: full.result, fullSagas: full.sagas, half: half.result, halfSagas: half.sagas,
      bound: "two synchronous calls (reservation, then paymethod → reservation.Get + payment.Pay) and four event consumers on two cores",
      commandCalls: 2,
    };
  },
};
