// Following a phase's sagas through a system's view until each is final: the one loop every
// system bench uses. The commands of a phase are bucketed by customer id, so the view is read back
// one customer (a few pages) at a time, and the load the reading adds stays small.
import { setTimeout as sleep } from "node:timers/promises";
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Samples } from "../load.js";
import type { SystemSagas } from "./system-bench.js";

/** At most this many sagas per customer id. */
const BUCKET = 500;

/** The sagas one phase started: when each was sent, by the customer it was sent for. */
export class SagaBook {
  readonly sentAt = new Map<string, number>();
  readonly buckets = new Map<string, Set<string>>();

  /** `tag`: what sets this phase's customer ids apart from every other phase's and run's. */
  constructor(private readonly tag: string) {}

  customerFor(seq: number): string {
    return `bench-${this.tag}-${Math.floor(seq / BUCKET)}`;
  }

  add(customerId: string, id: string, sentAtMs: number): void {
    this.sentAt.set(id, sentAtMs);
    this.buckets.set(customerId, (this.buckets.get(customerId) ?? new Set()).add(id));
  }
}

/** One saga as the view shows it. */
export interface ViewedSaga {
  id: string;
  steps: ReadonlyArray<{ event: string; occurredAt?: Timestamp; recordedAt?: Timestamp }>;
  /** Its status's name, for a saga still under way when following gave up. */
  status: string;
  /** Set when it ended otherwise than completed (cancelled, rejected): final, not complete. */
  endedAs?: string;
}

export interface FollowOptions {
  book: SagaBook;
  /** One page of a customer's rows in the view. */
  page(customerId: string, pageToken: string): Promise<{ rows: ViewedSaga[]; nextPageToken: string }>;
  /** The steps a complete saga has recorded. */
  finalSteps: readonly string[];
  /** The step whose recording completes a saga (the last of finalSteps to happen). */
  completedBy: string;
  say(line: string): void;
}

/** Reads the view until every saga of the book is final, nothing moved for 30 s, or 3 minutes passed. */
export async function followSagas(options: FollowOptions): Promise<SystemSagas> {
  const { book } = options;
  const final = new Map<string, ViewedSaga>();
  const latest = new Map<string, ViewedSaga>();
  const pending = new Map([...book.buckets].map(([customerId, ids]) => [customerId, new Set(ids)]));
  const t0 = performance.now();
  let movedAt = t0;
  while (pending.size > 0 && performance.now() - t0 < 180_000 && performance.now() - movedAt < 30_000) {
    for (const [customerId, ids] of pending) {
      let pageToken = "";
      do {
        const page = await options.page(customerId, pageToken).catch(() => undefined);
        if (!page) break;
        for (const saga of page.rows) {
          if (!ids.has(saga.id)) continue;
          latest.set(saga.id, saga);
          if (saga.endedAs !== undefined || options.finalSteps.every((e) => saga.steps.some((s) => s.event === e))) {
            final.set(saga.id, saga);
            ids.delete(saga.id);
            movedAt = performance.now();
          }
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (ids.size === 0) pending.delete(customerId);
    }
    if (pending.size > 0) await sleep(500);
  }
  options.say(`  ${"sagas".padEnd(22)} ${final.size.toLocaleString("en-US")} of ${book.sentAt.size.toLocaleString("en-US")} final`);

  const lag = new Samples();
  const other: Record<string, number> = {};
  let completed = 0;
  let lastCompletedMs = 0;
  for (const saga of final.values()) {
    if (saga.endedAs !== undefined) other[saga.endedAs] = (other[saga.endedAs] ?? 0) + 1;
    else completed++;
    for (const step of saga.steps) {
      if (!step.recordedAt || !step.occurredAt) continue;
      const recorded = timestampMs(step.recordedAt);
      lag.push(recorded - timestampMs(step.occurredAt));
      if (step.event === options.completedBy && saga.endedAs === undefined) lastCompletedMs = Math.max(lastCompletedMs, recorded);
    }
  }
  for (const id of book.sentAt.keys()) {
    if (final.has(id)) continue;
    const status = latest.get(id)?.status ?? "NOT_IN_VIEW";
    other[status] = (other[status] ?? 0) + 1;
  }
  const firstSentMs = Math.min(...book.sentAt.values());
  const span = (lastCompletedMs - firstSentMs) / 1000;
  return { started: book.sentAt.size, completed, other, sagasPerSecond: completed > 0 && span > 0 ? completed / span : 0, lag };
}
