// The resort saga bench: Reserve (paying in the same command) at `clients` callers, then at half
// that rate; every reservation followed on my page until its voucher is issued (Reserved,
// PaymentApproved and IssuedTicket recorded, reservation confirmed).
import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { ReservationStatus } from "../../gen/resort/v1/reservation_pb.js";
import { MyPageService, type MyPage } from "../../gen/resort/v1/mypage_pb.js";
import { ReservationService } from "../../gen/resort/v1/reservation_pb.js";
import { unaryCaller } from "../grpc-client.js";
import { closedLoop, fixedRate, Samples } from "../load.js";
import { withCpu } from "../procs.js";
import type { SystemBench, SystemBenchContext, SystemSagas } from "./system-bench.js";

const finalSteps = ["Reserved", "PaymentApproved", "IssuedTicket"];
/** Reservations per customer id, so a run reads back in few paged calls. */
const BUCKET = 500;

class Book {
  readonly sentAt = new Map<string, number>();
  readonly buckets = new Map<string, Set<string>>();
  constructor(private readonly tag: string) {}
  customerFor(seq: number): string {
    return `bench-${this.tag}-${Math.floor(seq / BUCKET)}`;
  }
  add(customerId: string, id: string, sentAtMs: number): void {
    this.sentAt.set(id, sentAtMs);
    this.buckets.set(customerId, (this.buckets.get(customerId) ?? new Set()).add(id));
  }
}

const isFinal = (p: MyPage) => p.reservationStatus === ReservationStatus.CANCELLED || finalSteps.every((e) => p.steps.some((s) => s.event === e));

async function follow(list: ReturnType<typeof unaryCaller<typeof MyPageService.method.listMyPages.input, typeof MyPageService.method.listMyPages.output>>, book: Book, say: (line: string) => void): Promise<SystemSagas> {
  const final = new Map<string, MyPage>();
  const latest = new Map<string, MyPage>();
  const pending = new Map([...book.buckets].map(([c, ids]) => [c, new Set(ids)]));
  const t0 = performance.now();
  let progressAt = t0;
  while (pending.size > 0 && performance.now() - t0 < 180_000 && performance.now() - progressAt < 30_000) {
    for (const [customerId, ids] of pending) {
      let pageToken = "";
      do {
        const page = await list({ customerId, pageSize: 1000, pageToken }).catch(() => undefined);
        if (!page) break;
        for (const p of page.myPages) {
          if (!ids.has(p.reservationId)) continue;
          latest.set(p.reservationId, p);
          if (isFinal(p)) {
            final.set(p.reservationId, p);
            ids.delete(p.reservationId);
            progressAt = performance.now();
          }
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (ids.size === 0) pending.delete(customerId);
    }
    if (pending.size > 0) await sleep(500);
  }
  say(`  ${"sagas".padEnd(22)} ${final.size.toLocaleString("en-US")} of ${book.sentAt.size.toLocaleString("en-US")} final`);
  const lag = new Samples();
  let completed = 0;
  let lastCompletedMs = 0;
  const other: Record<string, number> = {};
  for (const p of final.values()) {
    if (p.reservationStatus === ReservationStatus.CANCELLED) other.CANCELLED = (other.CANCELLED ?? 0) + 1;
    else completed++;
    for (const step of p.steps) {
      const recorded = timestampMs(step.recordedAt!);
      lag.push(recorded - timestampMs(step.occurredAt!));
      if (step.event === "IssuedTicket") lastCompletedMs = Math.max(lastCompletedMs, recorded);
    }
  }
  for (const id of book.sentAt.keys()) {
    if (final.has(id)) continue;
    const status = latest.has(id) ? ReservationStatus[latest.get(id)!.reservationStatus] : "NOT_IN_VIEW";
    other[status] = (other[status] ?? 0) + 1;
  }
  const firstSentMs = Math.min(...book.sentAt.values());
  const span = (lastCompletedMs - firstSentMs) / 1000;
  return { started: book.sentAt.size, completed, other, sagasPerSecond: completed > 0 && span > 0 ? completed / span : 0, lag };
}

export const resortBench: SystemBench = {
  system: "resort",
  async run({ stack, seconds, halfSeconds, clients, quick, say }: SystemBenchContext) {
    const reserve = unaryCaller(stack.grpcAddress("resort-reservation"), ReservationService.method.reserve);
    const listMyPages = unaryCaller(stack.grpcAddress("resort-mypage"), MyPageService.method.listMyPages);
    const tag = String(randomInt(1000, 10_000));
    const into = (book: Book) => ({
      call: (seq: number) => {
        const customerId = book.customerFor(seq);
        return reserve({ resort: "Seorak Hanwha", region: "Gangwon", date: "2026-12-24", persons: 4, rooms: 2, needs: "ocean view", cost: 300000n, paymentType: "card", customerId })
          .then((res) => ({ res, customerId }));
      },
      onSuccess: ({ res, customerId }: { res: { reservation?: { id: string } }; customerId: string }, sentAt: number) => book.add(customerId, res.reservation!.id, sentAt),
    });
    try {
      const warm = new Book(`${tag}-0`);
      await closedLoop({ phase: "Reserve (warm-up)", seconds: quick ? 1 : 2, concurrency: 10, ...into(warm) });
      if ((await follow(listMyPages, warm, say)).completed === 0) throw new Error(`no warm-up reservation reached IssuedTicket; see ${stack.logPath}`);

      const fullBook = new Book(`${tag}-1`);
      const full = await withCpu(stack.pids, () => closedLoop({ phase: "Reserve", seconds, concurrency: clients, ...into(fullBook) }));
      const fullSagas = await follow(listMyPages, fullBook, say);
      const halfRate = Math.max(1, full.result.rate / 2);
      const halfBook = new Book(`${tag}-2`);
      const half = await fixedRate({ phase: `Reserve ${Math.round(halfRate)}/s`, seconds: halfSeconds, perSecond: halfRate, ...into(halfBook) });
      const halfSagas = await follow(listMyPages, halfBook, say);
      const busiest = Object.entries(full.use.cores).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([id, c]) => `${id} ${c.toFixed(2)}`).join(", ");
      return {
        system: "resort",
        saga: "Reserve (pays through payment.Pay in the same command) until my page shows Reserved, PaymentApproved and IssuedTicket.",
        full: full.result, fullSagas, half, halfSagas,
        bound: `CPU: the machine's ${full.use.totalCores.toFixed(1)} cores were ${full.use.busyCores.toFixed(1)} busy during Reserve; cores per process: ${busiest}.`,
      };
    } finally {
      reserve.close();
      listMyPages.close();
    }
  },
};
