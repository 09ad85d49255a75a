// Turns the run's figures into the console table and docs/performance.md.
import type { H2loadResult } from "./h2load.js";
import type { BreakerResult } from "./breaker.js";
import { errorText, int, latency, mb, met, ms, pct, type Row } from "./format.js";
import type { RunHealth } from "./health.js";
import type { LoadResult, Samples } from "./load.js";
import type { CpuUse, ServiceMemory } from "./procs.js";
import { restRows, restSection, type RestFigures } from "./report-rest.js";
import type { SagaResult } from "./sagas.js";
import type { SparseWork } from "./sparse-work.js";
import type { LoopDelay, Timing } from "./timings.js";

/** Everything one run measured. */
export interface Figures {
  date: Date;
  machine: { nproc: number; cpuModel: string; node: string };
  command: string;
  seconds: number;
  clients: number;
  readConcurrency: number;
  echo: LoadResult;
  read: LoadResult;
  place: LoadResult;
  placeSagas: SagaResult;
  half: LoadResult;
  halfRate: number;
  halfSagas: SagaResult;
  breaker: BreakerResult;
  /** Per service at the end of the PlaceOrder run (and RSS when idle after start), bytes. */
  memory: Record<string, ServiceMemory & { idle: number }>;
  /** The bare echo server's, for reference: what node + tsx + grpc-js alone take. */
  echoMemory: { rss: number; peak: number };
  cpu: Array<{ phase: string; use: CpuUse }>;
  /** The services' own histograms over a run: mean time serving each RPC and calling each dependency. */
  timings: Array<{ phase: string; rows: Timing[]; loop: Record<string, LoopDelay> }>;
  health: RunHealth;
  /** Server capacity under h2load: the bare echo, the mesh's middleware alone, and the read path. */
  capacity?: { echo: H2loadResult; meshCheck: H2loadResult; getFlower: H2loadResult };
  /** REST throughput against a bare connect-node server, and what the gateway adds to a REST call. */
  rest: RestFigures;
  /** What this machine charges for a wake-up, and for work that comes in sparse wake-ups. */
  sparse: SparseWork;
}

const TARGET = { readRatio: 0.7, lagP99Ms: 50, breakerUs: 1000, rssMb: 80 };

function lagText(s: Samples): string {
  const [p50, p99] = s.percentiles(0.5, 0.99);
  return `p50 ${ms(p50)} ms · p99 ${ms(p99)} ms (${int(s.count)} steps)`;
}

function sagaText(s: SagaResult): string {
  const unfinished = Object.entries(s.unfinished).map(([k, n]) => `${int(n)} ${k}`).join(", ");
  const tail = s.lastCompletedMs ? `; the last ${((s.lastCompletedMs - s.lastSentMs) / 1000).toFixed(1)} s after the last order was sent` : "";
  return `${int(s.completed)} of ${int(s.placed)} reached DeliveryStarted${s.cancelled ? `, ${int(s.cancelled)} cancelled` : ""}${unfinished ? `, unfinished: ${unfinished}` : ""}; ${int(s.sagasPerSecond)} sagas/s${tail}`;
}

/** The figures as rows: what, the value, the target, met or not. */
export function figureRows(f: Figures): Row[] {
  const readRatio = f.read.rate / f.echo.rate;
  const [, halfP99] = f.halfSagas.lag.percentiles(0.5, 0.99);
  const [, breakerP99] = f.breaker.latencyUs.percentiles(0.5, 0.99);
  const rows: Row[] = [
    [`bare grpc-js echo (Health/Check), ${f.readConcurrency} concurrent`, `${int(f.echo.rate)} calls/s · ${latency(f.echo)} · ${errorText(f.echo.errors)}`, "baseline", ""],
    [`flower-store GetFlower, all middleware, ${f.readConcurrency} concurrent`, `${int(f.read.rate)} calls/s · ${latency(f.read)} · ${errorText(f.read.errors)}`, "", ""],
    ["GetFlower ÷ bare echo", pct(readRatio), `≥ ${pct(TARGET.readRatio)}`, met(readRatio >= TARGET.readRatio)],
    ...capacityRows(f),
    [`PlaceOrder, ${f.clients} clients, ${f.seconds} s`, `${int(f.place.rate)} orders/s · ${latency(f.place)} · ${errorText(f.place.errors)}`, "", ""],
    ["sagas at that load", sagaText(f.placeSagas), "", ""],
    ["event → view lag at that load", lagText(f.placeSagas.lag), "", ""],
    [`PlaceOrder at half rate (${int(f.halfRate)}/s), ${f.half.seconds.toFixed(0)} s`, `${int(f.half.rate)} orders/s · ${latency(f.half)} · ${errorText(f.half.errors)}${f.half.skipped ? ` · ${int(f.half.skipped)} arrivals skipped` : ""}`, "", ""],
    ["sagas at half rate", sagaText(f.halfSagas), "", ""],
    ["event → view lag at half rate", lagText(f.halfSagas.lag), `p99 < ${TARGET.lagP99Ms} ms`, met(halfP99 < TARGET.lagP99Ms)],
    [
      `open breaker → fallback (${int(f.breaker.calls)} calls)`,
      `mean ${f.breaker.latencyUs.mean().toFixed(1)} µs · p99 ${breakerP99.toFixed(1)} µs (opened after ${f.breaker.callsToOpen} failed calls)`,
      `< ${TARGET.breakerUs} µs`, met(breakerP99 < TARGET.breakerUs),
    ],
  ];
  for (const [id, m] of Object.entries(f.memory)) {
    rows.push([
      `RSS ${id} (end of PlaceOrder run)`,
      `${mb(m.rss)} MB (idle after start ${mb(m.idle)}, peak ${mb(m.peak)}; V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)} MB)`,
      `< ${TARGET.rssMb} MB`, met(m.rss < TARGET.rssMb * 2 ** 20),
    ]);
  }
  rows.push(["RSS bare echo server (node + tsx + grpc-js), for reference", `${mb(f.echoMemory.rss)} MB (peak ${mb(f.echoMemory.peak)} MB)`, "", ""]);
  return rows;
}

// The same comparison with h2load as the client: what each server can do, not what a Node client can send.
function capacityRows(f: Figures): Row[] {
  const c = f.capacity;
  if (!c) return [];
  const text = (r: H2loadResult) => `${int(r.rate)} calls/s · p50 ${ms(r.p50)} ms · p99 ${ms(r.p99)} ms${r.failed ? ` · ${int(r.failed)} failed` : ""}`;
  const server = "h2load, 4 connections × 25 streams";
  return [
    [`bare grpc-js echo, ${server}`, text(c.echo), "baseline", ""],
    [`flower-store Health/Check (the middleware alone), ${server}`, text(c.meshCheck), "", ""],
    [`flower-store GetFlower (middleware + SQLite read), ${server}`, text(c.getFlower), "", ""],
    ["Health/Check ÷ bare echo (h2load)", pct(c.meshCheck.rate / c.echo.rate), "", ""],
    ["GetFlower ÷ bare echo (h2load)", pct(c.getFlower.rate / c.echo.rate), `≥ ${pct(TARGET.readRatio)}`, met(c.getFlower.rate / c.echo.rate >= TARGET.readRatio)],
  ];
}

// Where the read path's time goes per call, from the h2load runs (one core per server process).
function capacityNote(f: Figures): string {
  const c = f.capacity;
  if (!c) return "";
  const us = (r: H2loadResult) => 1e6 / r.rate;
  return [
    "Per call on one core, from the h2load runs (the server is the bottleneck there, not the client):",
    `bare grpc-js ${us(c.echo).toFixed(0)} µs; the mesh's middleware adds ${(us(c.meshCheck) - us(c.echo)).toFixed(0)} µs`,
    "(context, metrics, logging, error mapping, and bridging each grpc-js call to Connect's handler context:",
    `headers and abort signals); GetFlower's knex + SQLite read adds ${(us(c.getFlower) - us(c.meshCheck)).toFixed(0)} µs more.`,
    "An echo does no work, so a read that touches the database cannot come near 70 % of it on the server side;",
    "with the Node client loop, which saturates its own core first, the ratio above is the client's view.",
  ].join("\n");
}

/** A plain aligned table for the terminal. */
export function consoleTable(rows: Row[]): string {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

function cpuTable(f: Figures): string {
  const names = [...new Set(f.cpu.flatMap((c) => Object.keys(c.use.cores)))];
  const head = `| process | ${f.cpu.map((c) => c.phase).join(" | ")} |\n|---|${f.cpu.map(() => "---:").join("|")}|`;
  const cell = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "" : v.toFixed(2));
  const rows = names.map((n) => `| ${n} | ${f.cpu.map((c) => cell(c.use.cores[n])).join(" | ")} |`);
  const other = `| other processes (not this bench) | ${f.cpu.map((c) => Math.max(0, c.use.busyCores - Object.values(c.use.cores).filter(Number.isFinite).reduce((a, b) => a + b, 0)).toFixed(2)).join(" | ")} |`;
  const busy = `| **machine busy** | ${f.cpu.map((c) => `**${c.use.busyCores.toFixed(2)}** of ${c.use.totalCores.toFixed(1)}`).join(" | ")} |`;
  return [head, ...rows, other, busy].join("\n");
}

function lagTable(f: Figures): string {
  const events = [...new Set([...f.placeSagas.lagByEvent.keys(), ...f.halfSagas.lagByEvent.keys()])];
  const cell = (s: Samples | undefined) => {
    if (!s) return "";
    const [p50, p99] = s.percentiles(0.5, 0.99);
    return `${ms(p50)} / ${ms(p99)}`;
  };
  return [
    "| view step | full load p50 / p99 ms | half rate p50 / p99 ms |",
    "|---|---:|---:|",
    ...events.map((e) => `| ${e} | ${cell(f.placeSagas.lagByEvent.get(e))} | ${cell(f.halfSagas.lagByEvent.get(e))} |`),
  ].join("\n");
}

// A reading of the CPU samples and the services' timings: who used the cores in each phase,
// what one call cost, and where callers waited longer than their callee worked.
function boundsNote(f: Figures): string {
  const lines: string[] = [];
  const top = (use: CpuUse) => Object.entries(use.cores).filter(([, v]) => Number.isFinite(v)).sort((a, b) => b[1] - a[1]);
  for (const { phase, use } of f.cpu) {
    const share = top(use).slice(0, 4).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(", ");
    const ours = top(use).reduce((a, [, v]) => a + v, 0);
    const others = Math.max(0, use.busyCores - ours);
    const saturated = use.busyCores >= 0.9 * use.totalCores;
    lines.push(
      `- **${phase}**: machine ${use.busyCores.toFixed(2)} of ${use.totalCores.toFixed(1)} cores busy (${saturated ? "saturated" : "not saturated"}); ` +
      `this bench's processes ${ours.toFixed(2)}${others >= 0.1 ? `, **other processes on the machine ${others.toFixed(2)}**` : ""}; top: ${share}.`,
    );
  }
  // CPU per call = cores × seconds ÷ calls; one JS thread gives a process at most one core.
  const perCall = (phase: string, server: string[], run: LoadResult) => {
    const use = f.cpu.find((c) => c.phase === phase)?.use;
    if (!use || run.calls === 0) return undefined;
    const us = (names: string[]) => (names.reduce((a, n) => a + (use.cores[n] ?? 0), 0) * use.seconds * 1e6) / run.calls;
    return { server: us(server), client: us(["bench client"]) };
  };
  const echo = perCall("bare echo", ["echo server"], f.echo);
  const read = perCall("GetFlower", ["flower-store"], f.read);
  if (echo && read) {
    lines.push(
      `- CPU per call: bare echo server ${echo.server.toFixed(0)} µs, flower-store GetFlower ${read.server.toFixed(0)} µs; the grpc-js client ` +
      `${echo.client.toFixed(0)} / ${read.client.toFixed(0)} µs. One thread caps a server at 1 core, so GetFlower can reach at most ` +
      `~${int(1e6 / read.server)} calls/s, and the echo run is bound by whichever of client and server saturates first ` +
      `(~${int(1e6 / Math.max(echo.client, echo.server))} calls/s).`,
    );
  }
  // Services' CPU per order placed in a run (the sagas of that run's orders included, roughly).
  const perOrder = (phase: string, run: LoadResult) => {
    const use = f.cpu.find((c) => c.phase === phase)?.use;
    if (!use || run.calls === 0) return NaN;
    const services = Object.entries(use.cores).filter(([n]) => !["bench client", "nats-server", "echo server"].includes(n));
    return (services.reduce((a, [, v]) => a + v, 0) * use.seconds * 1000) / run.calls;
  };
  const [full, half] = [perOrder("PlaceOrder", f.place), perOrder("PlaceOrder half rate", f.half)];
  if (Number.isFinite(full)) {
    lines.push(
      `- CPU per placed order across the services: ${full.toFixed(1)} ms at full load (${f.clients} clients, requests in bursts), ` +
      `${half.toFixed(1)} ms at half rate: an even stream of single requests, so events that shared a transaction at full load each take their own ` +
      `(commits per saga in the saga rows), and each process sleeps and is woken for them; on this machine the same unit of work costs ` +
      `${f.sparse.denseUs.toFixed(0)} µs back-to-back and ${f.sparse.sparseUs.toFixed(0)} µs alone in a wake-up, an empty wake-up ${f.sparse.wakeUs.toFixed(0)} µs (measured in this run).`,
    );
  }
  for (const { phase, rows, loop } of f.timings) {
    for (const call of rows.filter((r) => r.what.startsWith("calls "))) {
      const [dependency, method] = call.what.slice("calls ".length).split(".");
      const served = rows.find((r) => r.service === dependency && r.what.endsWith(`/${method}`));
      if (!served || call.meanMs < 10 || call.meanMs < 5 * served.meanMs) continue;
      lines.push(
        `- ${phase}: ${call.service}'s calls to ${dependency}.${method} took ${ms(call.meanMs)} ms on average while ${dependency} served them in ` +
        `${ms(served.meanMs)} ms: the rest is waiting in the caller's and callee's event loops and on the wire ` +
        `(event-loop delay p99: ${call.service} ${ms(loop[call.service]?.p99 ?? NaN)} ms, ${dependency} ${ms(loop[dependency]?.p99 ?? NaN)} ms).`,
      );
    }
  }
  return lines.join("\n");
}

function timingTables(f: Figures): string {
  return f.timings.map(({ phase, rows, loop }) => [
    `During the ${phase} run:`,
    "",
    "| service | what | count | mean ms |",
    "|---|---|---:|---:|",
    ...rows.slice(0, 12).map((t) => `| ${t.service} | ${t.what} | ${int(t.count)} | ${ms(t.meanMs)} |`),
    "",
    `Event-loop delay during the ${phase} run (monitorEventLoopDelay, ms): ` +
      Object.entries(loop).map(([id, d]) => `${id} p99 ${ms(d.p99)} / max ${ms(d.max)}`).join("; ") + ".",
  ].join("\n")).join("\n\n");
}

function healthSection(f: Figures): string {
  const out: string[] = [];
  for (const s of f.health.services) {
    const parts: string[] = [];
    if (s.exitCode !== undefined) parts.push(`**exited by itself, code ${s.exitCode}**`);
    if (s.scrapeError) parts.push(`/metrics did not answer (${s.scrapeError})`);
    const ev = Object.entries(s.events).map(([k, v]) => `${k} ${int(v)}`).join(", ");
    if (ev) parts.push(`events: ${ev}`);
    const cf = Object.entries(s.clientFailures).map(([k, v]) => `${k} ×${int(v)}`).join(", ");
    if (cf) parts.push(`calls out not OK: ${cf}`);
    const rf = Object.entries(s.rpcFailures).map(([k, v]) => `${k} ×${int(v)}`).join(", ");
    if (rf) parts.push(`RPCs served not ok: ${rf}`);
    if (s.outboxBacklog || s.consumerPending) parts.push(`left at the end: outbox backlog ${int(s.outboxBacklog)}, consumer pending ${int(s.consumerPending)}`);
    parts.push(`log: ${s.log.warn} warn, ${s.log.error} error, ${s.log.other} other lines`);
    out.push(`- **${s.id}**: ${parts.join("; ")}`);
    const messages = [...s.log.messages].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [m, n] of messages) out.push(`  - ×${int(n)} ${m.replaceAll("|", "\\|")}`);
  }
  const dl = f.health.deadLetters;
  out.push(`- **dead letters**: ${dl.count}${dl.count ? ": " + Object.entries(dl.byConsumer).map(([c, d]) => `${c} ×${d.count} (${d.reason})`).join("; ") : ""}`);
  return out.join("\n");
}

/** docs/performance.md: when, where, how, the figures, the targets, and what bounds them. */
/** The sections measured beside flower's figures: the sync call against its peers, and every saga against its targets. */
export interface OtherSections {
  sync: string;
  sagas: Row[];
  /** With --profile: each service's CPU by kind of work at flower's full load. */
  profiles: Row[];
  /** npm start's readiness and memory, and services' idle memory as the image runs them. */
  footprint: Row[];
}

export function markdown(f: Figures, other: OtherSections): string {
  const rows = figureRows(f);
  const targets = [...other.sagas, ...rows, ...restRows(f.rest)].filter((r) => r[3]); // figures with a verdict: not baselines or those for reference
  return `# Performance

Measured ${f.date.toISOString().replace("T", " ").slice(0, 16)} UTC on ${f.machine.nproc} cores (${f.machine.cpuModel}), Node ${f.machine.node},
client and services on the same machine over loopback (127.0.0.1), every service its own process
with its own SQLite file, NATS JetStream (nats-server ${f.health.natsServer}) on 127.0.0.1. Each system
runs on a stack of its own, as \`npm start -- <system>\` runs it (its services, payment, notification
and the gateway), started after the previous system's stopped.

Command: \`${f.command}\` (bench/flower.ts). Read-path runs: ${f.readConcurrency} concurrent calls over one
HTTP/2 connection (grpc-js client, protobuf-es codecs), 1 s warm-up then ${f.seconds} s.
PlaceOrder: ${f.clients} concurrent clients for ${f.seconds} s (delivery orders, qty 1, flower "1"), then
an open loop at half that rate; sagas and lag read back from the order-history view afterwards.

## The synchronous call against its peers

${other.sync}

## Footprint

\`npm start\` of all five systems (every service in one process, as it starts by default) until
every service answers /readyz, with the resident memory of its whole process tree; and single
services run as the container image runs them (compiled, \`node\` with the Dockerfile's flags),
idle after ready and once V8 has given back what starting took (\`npm run bench:footprint\` runs
this part alone, and \`-- --processes\` for a process per service).

| figure | value | target | |
|---|---|---|---|
${other.footprint.map((r) => `| ${r.join(" | ")} |`).join("\n")}

## Every system's saga against its targets

The floor is what the work a saga needs costs bare, measured in this run: per saga, the sync
calls (bare grpc-js client + server), SQLite commits (better-sqlite3 alone), JetStream publishes
and deliveries (nats.js + nats-server) counted from the services' own counters. CPU per saga is
every service's and nats-server's CPU from the first command until the last saga completed and
every consumer caught up (notification's too), ÷ the sagas completed; each phase starts once the
previous one's consumers have caught up. Each system first runs 5 s at full load, not measured, so
that its figures are of compiled code. Event-loop delay: prom-client's monitor of each service, over
the half-rate phase's load; the worst service of the saga is shown. "Sagas/s these cores allow" is
the machine's cores ÷ CPU per saga: at the floor's, the most this machine could complete if nothing
but the floor's work were paid for.

| figure | value | target | |
|---|---|---|---|
${other.sagas.map((r) => `| ${r.join(" | ")} |`).join("\n")}

${other.profiles.length ? `## Where the CPU goes at full load (V8 profiles)

Self time of each service that worked during a PlaceOrder run at ${f.clients} clients, by kind
of work, busiest service first (\`npm run bench -- --profile\`: V8's sampling profiler, started and
stopped in every service for an extra run after the measured ones, so that its cost stays out of
the figures). "SQLite (native)" is better-sqlite3 running statements; "knex" building and running
them; "other" is mostly V8's own native work (compiling, the profiler's ticks).

| service | busiest kinds of work |
|---|---|
${other.profiles.map((r) => `| ${r[0]} | ${r[1]} |`).join("\n")}

` : ""}## Flower figures

| figure | value | target | |
|---|---|---|---|
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

${restSection(f.rest)}
## Targets

${targets.map((r) => `- ${r[0]}: ${r[1].split(" (")[0]} — target ${r[2]}: **${r[3]}**`).join("\n")}

## Event → view lag by step

Lag = the view's recordedAt − the event's occurredAt, for every step of every order placed.

${lagTable(f)}

## What bounds it

CPU used per process (cores = CPU seconds ÷ wall seconds, from /proc/<pid>/stat) during each run:

${cpuTable(f)}

${boundsNote(f)}

${capacityNote(f)}

Time as the services' own histograms saw it (mesh_rpc_duration_seconds for what they serve,
mesh_client_duration_seconds for their calls to dependencies, policy included):

${timingTables(f)}

## What the services reported

From each service's /metrics (runtime counters), the dead-letter stream and the warn/error log
lines of the whole run:

${healthSection(f)}
`;
}
