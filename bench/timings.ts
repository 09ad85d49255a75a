// Where a service's time went during a run, from its own histograms on /metrics: the mean time
// it took to serve each RPC and to get answers from each dependency between two scrapes, and
// how late its event loop ran (prom-client resets that histogram at every scrape).
import type { Sample } from "../mesh/testing/metric-samples.js";
import { eventLoopSamplingMs } from "../mesh/telemetry/metrics.js";
import { scrapeMetrics } from "./procs.js";

/** One line of the breakdown: what (e.g. "serves OrderService/PlaceOrder"), how often, how long on average. */
export interface Timing {
  service: string;
  what: string;
  count: number;
  meanMs: number;
}

type Totals = Map<string, { sum: number; count: number }>;

/** Event-loop delay since the previous scrape (how late the loop ran), ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

interface Scrape {
  totals: Totals;
  loop: LoopDelay;
}

// prom-client reports the time between two samples of the loop; how late the loop ran is what exceeds the sampling interval.
function loopDelay(samples: Sample[]): LoopDelay {
  const get = (name: string) => Math.max(0, (samples.find((s) => s.name === name)?.value ?? NaN) * 1000 - eventLoopSamplingMs);
  return { p50: get("nodejs_eventloop_lag_p50_seconds"), p99: get("nodejs_eventloop_lag_p99_seconds"), max: get("nodejs_eventloop_lag_max_seconds") };
}

// Sums a histogram's _sum and _count over every label except the ones naming the operation.
function totals(samples: Sample[]): Totals {
  const out: Totals = new Map();
  for (const s of samples) {
    const m = /^(mesh_rpc_duration_seconds|mesh_client_duration_seconds)_(sum|count)$/.exec(s.name);
    if (!m) continue;
    const what = m[1] === "mesh_rpc_duration_seconds" ? `serves ${s.labels.method}` : `calls ${s.labels.dependency}.${s.labels.method}`;
    const t = out.get(what) ?? { sum: 0, count: 0 };
    t[m[2] as "sum" | "count"] += s.value;
    out.set(what, t);
  }
  return out;
}

/** Each service's histogram totals now (and its event-loop delay since the last scrape). */
export async function scrapeTimings(httpPorts: Record<string, number>): Promise<Map<string, Scrape>> {
  const out = new Map<string, Scrape>();
  for (const [id, port] of Object.entries(httpPorts)) {
    const samples = await scrapeMetrics(port).catch(() => []);
    out.set(id, { totals: totals(samples), loop: loopDelay(samples) });
  }
  return out;
}

/** What happened between two scrapes: calls busiest first, and each service's event-loop delay. */
export function timingsBetween(before: Map<string, Scrape>, after: Map<string, Scrape>): { rows: Timing[]; loop: Record<string, LoopDelay> } {
  const rows: Timing[] = [];
  const loop: Record<string, LoopDelay> = {};
  for (const [service, now] of after) {
    loop[service] = now.loop;
    for (const [what, t] of now.totals) {
      const was = before.get(service)?.totals.get(what) ?? { sum: 0, count: 0 };
      const count = t.count - was.count;
      if (count > 0) rows.push({ service, what, count, meanMs: ((t.sum - was.sum) * 1000) / count });
    }
  }
  return { rows: rows.sort((a, b) => b.count - a.count), loop };
}
