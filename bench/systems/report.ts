// A system bench's figures as console rows and as its section of docs/performance.md.
import type { SystemFigures, SystemSagas } from "./system-bench.js";

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : "n/a");
const count = (n: number) => Math.round(n).toLocaleString("en-US");
const others = (s: SystemSagas) => Object.entries(s.other).map(([k, v]) => `${k} ×${v}`).join(", ") || "none";

export function systemRows(f: SystemFigures): string[][] {
  const [p50, p99] = f.full.latencyMs.percentiles(0.5, 0.99);
  const [lag50, lag99] = f.halfSagas.lag.percentiles(0.5, 0.99);
  return [
    [`${f.system}: command`, `${count(f.full.rate)}/s, p50 ${ms(p50)}, p99 ${ms(p99)}, errors ${JSON.stringify(f.full.errors)}`],
    [`${f.system}: complete sagas`, `${count(f.fullSagas.sagasPerSecond)}/s (${count(f.fullSagas.completed)} of ${count(f.fullSagas.started)}; other: ${others(f.fullSagas)})`],
    [`${f.system}: half rate ${count(f.half.rate)}/s`, `view lag p50 ${ms(lag50)}, p99 ${ms(lag99)}; ${count(f.halfSagas.completed)} of ${count(f.halfSagas.started)} complete`],
  ];
}

export function systemMarkdown(f: SystemFigures): string {
  return `## ${f.system}

${f.saga}

| figure | value |
|---|---|
${systemRows(f).map((r) => `| ${r.join(" | ")} |`).join("\n")}

What bounds it: ${f.bound}
`;
}
