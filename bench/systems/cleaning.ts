// The cleaning system's saga bench: apply for a cleaning and register its payment method (which
// pays synchronously) as one call, then follow every request through the dashboard until the
// cleaner's job is confirmed (KindRegistered, PaymentApproved and CleaningConfirmed recorded).
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DashBoardService } from "../../gen/cleaning/v1/dashboard_pb.js";
import { PaymethodService } from "../../gen/cleaning/v1/paymethod_pb.js";
import { CleaningReservationService, ReservationStatus } from "../../gen/cleaning/v1/reservation_pb.js";
import { closedLoop, fixedRate, Samples } from "../load.js";
import type { SystemBench, SystemBenchContext, SystemSagas } from "./system-bench.js";

const finalSteps = ["KindRegistered", "PaymentApproved", "CleaningConfirmed"];
/** Requests per customer id, so one run is read back a bucket at a time. */
const BUCKET = 500;

async function run(context: SystemBenchContext, phase: string, tag: string, load: (call: (seq: number) => Promise<string>, onSuccess: (id: string, sentAt: number) => void) => ReturnType<typeof closedLoop>) {
  const transport = (id: string) => createGrpcTransport({ baseUrl: `http://${context.stack.grpcAddress(id)}` });
  const reservations = createClient(CleaningReservationService, transport("cleaning-reservation"));
  const paymethods = createClient(PaymethodService, transport("cleaning-paymethod"));
  const dashboard = createClient(DashBoardService, transport("cleaning-dashboard"));
  const customerOf = (seq: number) => `bench-${tag}-${Math.floor(seq / BUCKET)}`;
  const sentAt = new Map<string, number>();
  const customers = new Set<string>();
  const result = await load(async (seq) => {
    const customerId = customerOf(seq);
    customers.add(customerId);
    const { cleaningReservation: r } = await reservations.createCleaningReservation({ place: "Seoul Gangnam", requestDate: "2026-12-01", price: 50000n, customerId });
    await paymethods.registerPaymethod({ requestId: r!.id, kind: "credit", number: "4111111111111111" });
    return r!.id;
  }, (id, at) => sentAt.set(id, at));
  const sagas = await follow(dashboard, customers, sentAt, context.quick ? 20_000 : 60_000);
  context.say(`cleaning ${phase}: ${result.rate.toFixed(0)} registrations/s, ${sagas.completed}/${sagas.started} sagas complete`);
  return { result, sagas };
}

async function follow(dashboard: ReturnType<typeof createClient<typeof DashBoardService>>, customers: Set<string>, sentAt: Map<string, number>, waitMs: number): Promise<SystemSagas> {
  const deadline = Date.now() + waitMs;
  const done = new Map<string, number>();
  const other: Record<string, number> = {};
  const lag = new Samples();
  for (;;) {
    Object.keys(other).forEach((k) => delete other[k]);
    for (const customerId of customers) {
      let pageToken = "";
      do {
        const page = await dashboard.listDashBoardViews({ customerId, pageSize: 1000, pageToken });
        for (const v of page.dashBoardViews) {
          if (!sentAt.has(v.requestId) || done.has(v.requestId)) continue;
          if (finalSteps.every((e) => v.steps.some((s) => s.event === e))) {
            const steps = v.steps.filter((s) => s.recordedAt && s.occurredAt);
            done.set(v.requestId, Math.max(...steps.map((s) => timestampMs(s.recordedAt!))));
            for (const s of steps) lag.push(timestampMs(s.recordedAt!) - timestampMs(s.occurredAt!));
          } else {
            const name = ReservationStatus[v.status] ?? "unknown";
            other[name] = (other[name] ?? 0) + 1;
          }
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
    if (done.size >= sentAt.size || Date.now() > deadline) break;
    await sleep(500);
  }
  const missing = sentAt.size - done.size - Object.values(other).reduce((a, b) => a + b, 0);
  if (missing > 0) other.notInView = missing;
  const first = Math.min(...sentAt.values());
  const last = Math.max(...done.values());
  return { started: sentAt.size, completed: done.size, other, sagasPerSecond: done.size > 0 ? done.size / ((last - first) / 1000) : 0, lag };
}

/** The cleaning bench, registered in bench/systems/index.ts. */
export const cleaningBench: SystemBench = {
  system: "cleaning",
  async run(context) {
    const tag = Date.now().toString(36);
    const full = await run(context, "full", `${tag}f`, (call, onSuccess) =>
      closedLoop({ phase: "cleaning full", seconds: context.seconds, concurrency: context.clients, call, onSuccess: (id, at) => onSuccess(id, at) }));
    const half = await run(context, "half", `${tag}h`, (call, onSuccess) =>
      fixedRate({ phase: "cleaning half", seconds: context.halfSeconds, perSecond: Math.max(1, full.result.rate / 2), call, onSuccess: (id, at) => onSuccess(id, at) }));
    return {
      system: "cleaning",
      saga: "apply for a cleaning and register its payment method (paid synchronously) in one call; complete when the dashboard shows KindRegistered, PaymentApproved and CleaningConfirmed",
      full: full.result, fullSagas: full.sagas, half: half.result, halfSagas: half.sagas,
      bound: "two synchronous calls (reservation, then paymethod → reservation.Get + payment.Pay) and four event consumers on two cores",
    };
  },
};
