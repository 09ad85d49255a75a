// The number formats and the row shape that the console table and docs/performance.md share.
import type { LoadResult } from "./load.js";

/** One line of a figures table: what, the value, the target, met or not. */
export type Row = [figure: string, value: string, target: string, verdict: string];

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : "n/a");
export const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
export const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
export const met = (ok: boolean) => (ok ? "met" : "NOT met");
export const errorText = (errors: Record<string, number>) =>
  Object.keys(errors).length === 0 ? "0 errors" : Object.entries(errors).map(([c, n]) => `${int(n)} ${c}`).join(", ");

/** "p50 … ms · p99 … ms" of a client loop's latencies. */
export function latency(r: LoadResult): string {
  const [p50, p99] = r.latencyMs.percentiles(0.5, 0.99);
  return `p50 ${ms(p50)} ms · p99 ${ms(p99)} ms`;
}
