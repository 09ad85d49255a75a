// The synchronous-call figures as a console table and as markdown: one line per scenario,
// then the mesh's ratios against its peers with their targets.
import { int, met, ms } from "./format.js";
import { SYNC_CALL_TARGETS, type SyncCallFigures, type SyncCallScenario } from "./sync-call.js";

const us = (n: number | undefined) => (n === undefined ? "–" : Number.isFinite(n) ? n.toFixed(0) : "n/a");
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "n/a");

const scenarioHead = ["scenario", "calls/s", "p50 / p99 ms", "client µs/call", "server µs/call", "nats µs/call", "errors", "served / answered", "other cores"];

function scenarioRow(s: SyncCallScenario): string[] {
  if (s.runs.length === 0) return [s.label, "did not run", s.failures.join("; "), "", "", "", "", "", ""];
  const last = s.runs[s.runs.length - 1];
  const served = s.runs.reduce((a, r) => a + r.served, 0);
  const answered = s.runs.reduce((a, r) => a + r.answered, 0);
  const mean = (pick: (r: (typeof s.runs)[number]) => number) => s.runs.reduce((a, r) => a + pick(r), 0) / s.runs.length;
  const kinds = Object.entries(last.errorKinds).map(([k, n]) => `${n} ${k}`).join("; ");
  const notes = [...new Set(s.runs.map((r) => r.note).filter((n) => n !== undefined))];
  return [
    s.label + (notes.length ? ` (${notes.join("; ")})` : ""),
    int(s.rate) + (s.runs.length > 1 ? ` (${s.runs.map((r) => int(r.rate)).join(", ")})` : ""),
    `${ms(mean((r) => r.p50Ms))} / ${ms(mean((r) => r.p99Ms))}`,
    us(s.clientUs), us(s.serverUs), us(s.natsUs),
    int(s.errors) + (kinds ? ` (${kinds})` : "") + (s.failures.length ? ` · ${s.failures.length} run(s) failed` : ""),
    `${int(served)} / ${int(answered)}${s.crossed ? "" : " NOT crossed"}`,
    mean((r) => r.otherCores).toFixed(2),
  ];
}

/** [figure, value, target, verdict] for the mesh's ratios. */
export function ratioRows(f: SyncCallFigures): string[][] {
  const r = f.ratios;
  const rate = (s: SyncCallScenario) => `${int(s.rate)} calls/s`;
  const m = f.scenarios;
  // A ratio to a scenario left out (--only) is not a verdict.
  const verdict = (value: number, target: number) => (Number.isNaN(value) ? "not measured" : met(value >= target));
  return [
    ["mesh ÷ NestJS (calls/s)", `${ratio(r.meshOverNest)} (${rate(m.mesh)} vs ${rate(m.nest)})`, `≥ ${SYNC_CALL_TARGETS.meshOverNest.toFixed(1)}×`, verdict(r.meshOverNest, SYNC_CALL_TARGETS.meshOverNest)],
    ["mesh ÷ Moleculer matched (calls/s)", `${ratio(r.meshOverMoleculerMatched)} (${rate(m.mesh)} vs ${rate(m.moleculerMatched)})`, `≥ ${SYNC_CALL_TARGETS.meshOverMoleculerMatched.toFixed(1)}×`, verdict(r.meshOverMoleculerMatched, SYNC_CALL_TARGETS.meshOverMoleculerMatched)],
    ["mesh ÷ Moleculer circuit breaker only", `${ratio(r.meshOverMoleculerCb)} (${rate(m.mesh)} vs ${rate(m.moleculerCb)})`, "for reference", ""],
    ["mesh ÷ bare grpc-js", `${ratio(r.meshOverGrpc)} (${rate(m.mesh)} vs ${rate(m.grpc)})`, "for reference", ""],
  ];
}

function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

function markdownTable(head: string[], rows: string[][], numeric: boolean[]): string {
  return [`| ${head.join(" | ")} |`, `|${numeric.map((n) => (n ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const setting = (f: SyncCallFigures) =>
  `${f.concurrency} calls in flight, client process → server process on 127.0.0.1, ${f.warmupSeconds} s warm-up then ${f.seconds} s measured, ` +
  `${f.runs} run(s) interleaved; ${f.machine.nproc} cores (${f.machine.cpuModel}), Node ${f.machine.node}`;

// Runs during which other work kept a quarter core or more busy: their figures are not clean.
const DISTURBED_CORES = 0.25;

function disturbance(f: SyncCallFigures): string[] {
  const hit = Object.values(f.scenarios).flatMap((s) => s.runs.filter((r) => r.otherCores >= DISTURBED_CORES).map((r) => `${s.label} run ${r.run} (${r.otherCores.toFixed(2)})`));
  return hit.length ? [`Disturbed: other processes kept cores busy during ${hit.join(", ")}; compare those figures with care.`] : [];
}

export function syncCallConsole(f: SyncCallFigures): string {
  const scenarios = Object.values(f.scenarios);
  return [
    `synchronous call, GetFlower: ${setting(f)}`,
    aligned([scenarioHead, ...scenarios.map(scenarioRow)]),
    ...disturbance(f),
    "",
    aligned([["figure", "value", "target", ""], ...ratioRows(f)]),
  ].join("\n");
}

export function syncCallMarkdown(f: SyncCallFigures): string {
  const scenarios = Object.values(f.scenarios);
  return [
    `**Synchronous service-to-service call** (flower StoreService.GetFlower, constant answer): ${setting(f)}. ` +
    "CPU per call is each process's CPU time in the measured window ÷ the calls completed in it; " +
    "\"served / answered\" is the server's own count against the client's right answers (every call crossed processes when served ≥ answered); " +
    "\"other cores\" is what the rest of the machine kept busy meanwhile.",
    "",
    markdownTable(scenarioHead, scenarios.map(scenarioRow), [false, true, true, true, true, true, true, true, true]),
    ...disturbance(f).flatMap((line) => ["", line]),
    "",
    markdownTable(["figure", "value", "target", "met"], ratioRows(f), [false, false, false, false]),
  ].join("\n");
}
