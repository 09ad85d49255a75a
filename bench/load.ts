// The client loops (closed loop at a fixed concurrency, open loop at a fixed rate), their
// once-a-second progress line, and the percentiles of what they measured.
import { setTimeout as sleep } from "node:timers/promises";
import { errorCode } from "./grpc-client.js";

/** A growable list of numbers (latencies, lags) with the figures a report needs. */
export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentiles, p in 0..1 (NaN when empty). */
  percentiles(...ps: number[]): number[] {
    const sorted = this.data.slice(0, this.n).sort();
    return ps.map((p) => (this.n === 0 ? NaN : sorted[Math.min(this.n - 1, Math.max(0, Math.ceil(p * this.n) - 1))]));
  }

  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.data[i];
    return this.n === 0 ? NaN : sum / this.n;
  }
}

/** What one timed run measured. */
export interface LoadResult {
  phase: string;
  /** Wall time from the first call to the last answer. */
  seconds: number;
  /** Calls that succeeded. */
  calls: number;
  /** Failed calls by gRPC status name. */
  errors: Record<string, number>;
  /** Latency of the successful calls, ms. */
  latencyMs: Samples;
  /** Successful calls per second. */
  rate: number;
  /** Open loop only: arrivals that could not be sent on time because too many were in flight. */
  skipped?: number;
}

export interface LoopOptions<T> {
  phase: string;
  seconds: number;
  /** One call; `seq` counts calls in this run from 0. */
  call: (seq: number) => Promise<T>;
  /** Told of each success: its answer, when it was sent (epoch ms) and how long it took. */
  onSuccess?: (answer: T, sentAtMs: number, latencyMs: number) => void;
  /** Progress lines go here (stdout by default); undefined to stay quiet. */
  progress?: ((line: string) => void) | null;
}

// Shared bookkeeping of both loops: timing one call, counting outcomes, the progress line.
function createRun<T>(options: LoopOptions<T>) {
  const latencyMs = new Samples();
  const errors: Record<string, number> = {};
  let seq = 0;
  let failed = 0;
  const t0 = performance.now();
  const say = options.progress === undefined ? (line: string) => process.stdout.write(line + "\n") : options.progress;
  let lastCalls = 0;
  let lastAt = t0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const rate = ((latencyMs.count - lastCalls) * 1000) / (now - lastAt);
    lastCalls = latencyMs.count;
    lastAt = now;
    say?.(`  ${options.phase.padEnd(22)} ${((now - t0) / 1000).toFixed(0).padStart(3)} s  ${latencyMs.count.toLocaleString("en-US").padStart(9)} calls  ${Math.round(rate).toLocaleString("en-US").padStart(7)}/s  ${failed} errors`);
  }, 1000);
  return {
    t0,
    async one(): Promise<void> {
      const sentAt = Date.now();
      const start = performance.now();
      try {
        const answer = await options.call(seq++);
        const took = performance.now() - start;
        latencyMs.push(took);
        options.onSuccess?.(answer, sentAt, took);
      } catch (error) {
        failed++;
        const code = errorCode(error);
        errors[code] = (errors[code] ?? 0) + 1;
      }
    },
    finish(extra: Partial<LoadResult> = {}): LoadResult {
      clearInterval(ticker);
      const seconds = (performance.now() - t0) / 1000;
      return { phase: options.phase, seconds, calls: latencyMs.count, errors, latencyMs, rate: latencyMs.count / seconds, ...extra };
    },
  };
}

/** `concurrency` callers, each sending its next call as soon as the last one answers, for `seconds`. */
export async function closedLoop<T>(options: LoopOptions<T> & { concurrency: number }): Promise<LoadResult> {
  const run = createRun(options);
  const end = run.t0 + options.seconds * 1000;
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < end) await run.one();
  }));
  return run.finish();
}

/**
 * Calls at a fixed rate for `seconds`, whatever the answers' latency (an open loop), with at
 * most `maxInFlight` outstanding; arrivals beyond that are skipped and counted.
 */
export async function fixedRate<T>(options: LoopOptions<T> & { perSecond: number; maxInFlight?: number }): Promise<LoadResult> {
  const run = createRun(options);
  const maxInFlight = options.maxInFlight ?? 1000;
  const end = run.t0 + options.seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  let launched = 0;
  let skipped = 0;
  for (let now = performance.now(); now < end; now = performance.now()) {
    const due = Math.floor(((now - run.t0) / 1000) * options.perSecond);
    for (; launched < due; launched++) {
      if (inFlight.size >= maxInFlight) {
        skipped++;
        continue;
      }
      const p = run.one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  return run.finish({ skipped });
}
