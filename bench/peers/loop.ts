// The closed loop every peer client runs, so that the scenarios differ only in what one call
// is: `concurrency` callers, each sending its next call as soon as the last one answered, for
// warm-up + measured seconds without a pause between them (the loop never restarts cold).
// Only calls that complete inside the measured window count; the CPU of this process and of
// the server (and nats-server) is read from /proc at the window's two edges.
import { setTimeout as sleep } from "node:timers/promises";
import { Samples } from "../load.js";
import { cpuBetween, snapshotCpu } from "../procs.js";

export interface PeerLoopOptions<T> {
  call: () => Promise<T>;
  /** Applied to every answer once; a wrong answer counts as an error. */
  check: (answer: T) => boolean;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** The other processes whose CPU the window is charged with ("server", "nats"); this one is "client". */
  pids: Record<string, number>;
}

/** What the client process prints as `RESULT {json}`. */
export interface PeerLoopResult {
  concurrency: number;
  /** Length of the measured window. */
  seconds: number;
  /** Successful calls completed inside the window. */
  calls: number;
  rate: number;
  /** Failed or wrong calls inside the window. */
  errors: number;
  /** Every failure of the whole run (warm-up and drain included), by kind. */
  errorKinds: Record<string, number>;
  /** Every right answer of the run, warm-up and drain included: held against the server's count. */
  answered: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds each process used inside the window (client, server, nats). */
  cpuSeconds: Record<string, number>;
  /** Cores the whole machine kept busy meanwhile, and how many it has. */
  machine: { busyCores: number; totalCores: number };
  /** The scenario's own word on how it reached the server (the mesh client's protocol and port). */
  note?: string;
}

const WRONG = "WRONG_ANSWER";

// A short, stable key for a failure whatever library threw it.
function kindOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  return `${String(e?.code ?? e?.name ?? "error")}: ${String(e?.message ?? error).slice(0, 100)}`;
}

export async function peerLoop<T>(options: PeerLoopOptions<T>): Promise<PeerLoopResult> {
  const latency = new Samples();
  const errorKinds: Record<string, number> = {};
  let windowOpen = false;
  let stop = false;
  let errors = 0;
  let answered = 0;
  const fail = (kind: string) => {
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    if (windowOpen) errors++;
  };

  const caller = async () => {
    while (!stop) {
      const start = performance.now();
      try {
        const answer = await options.call();
        if (!options.check(answer)) {
          fail(WRONG);
          continue;
        }
        answered++;
        if (windowOpen) latency.push(performance.now() - start);
      } catch (error) {
        fail(kindOf(error));
      }
    }
  };
  const callers = Array.from({ length: options.concurrency }, caller);

  const pids = { client: process.pid, ...options.pids };
  await sleep(options.warmupSeconds * 1000);
  const before = await snapshotCpu(pids);
  const opened = performance.now();
  windowOpen = true;
  await sleep(options.seconds * 1000);
  windowOpen = false;
  const closed = performance.now();
  const after = await snapshotCpu(pids);
  stop = true;
  // Calls in flight finish (they count as answered, not as measured); a hung one is not waited for.
  await Promise.race([Promise.all(callers), sleep(5000)]);

  const use = cpuBetween(before, after);
  const seconds = (closed - opened) / 1000;
  const [p50Ms, p99Ms] = latency.percentiles(0.5, 0.99);
  return {
    concurrency: options.concurrency, seconds, calls: latency.count, rate: latency.count / seconds, errors, errorKinds, answered,
    p50Ms, p99Ms,
    cpuSeconds: Object.fromEntries(Object.entries(use.cores).map(([name, cores]) => [name, cores * use.seconds])),
    machine: { busyCores: use.busyCores, totalCores: use.totalCores },
  };
}
