// The saga's targets (issue "speed against the best peers"): each figure beside its target, for
// flower's saga and, with the same measures, every other system's main saga.
import { availableParallelism } from "node:os";
import { int, met, ms, type Row } from "./format.js";
import { FLOOR_RATIO_TARGET, type FloorUnits, type SagaCost } from "./floor.js";
import type { RuntimeUnits } from "./runtime-units.js";
import type { LoopDelay } from "./timings.js";

export const SAGA_TARGETS = { sagasPerSecond: 1500, commandP99Ms: 100, floorRatio: FLOOR_RATIO_TARGET, loopDelayP99Ms: 20, viewLagP99Ms: 50 } as const;

/** One system's saga, measured the same way for every system. */
export interface SagaTargetFigures {
  system: string;
  sagasPerSecond: number;
  commandP99Ms: number;
  cost: SagaCost;
  /** The worst event-loop delay among the system's services at half load, and whose it was. */
  loop?: { service: string; delay: LoopDelay };
  viewLagP99Ms: number;
  /** Per complete saga at half load: CPU and work (as `cost` at full load) and its services' wake-ups. */
  halfLoad?: { cost: SagaCost; wakeUps: number };
}

export function floorRows(units: FloorUnits): Row[] {
  const us = (n: number) => `${n.toFixed(1)} µs`;
  return [
    ["floor: one sync call, bare grpc-js client + server CPU", us(units.callUs), "", ""],
    ["floor: one SQLite commit, better-sqlite3 alone (WAL, synchronous=NORMAL)", us(units.commitUs), "", ""],
    ["floor: one JetStream publish with its ack, nats.js + nats-server", us(units.publishUs), "", ""],
    ["floor: one JetStream delivery with its ack, nats.js + nats-server", us(units.deliverUs), "", ""],
  ];
}

/** The runtime's price for each unit beside the floor's: where a saga's CPU above its floor goes. */
export function runtimeUnitRows(floor: FloorUnits, runtime: RuntimeUnits & { callUs: number }): Row[] {
  const vs = (us: number, bare: number) => `${us.toFixed(1)} µs (${(us / bare).toFixed(1)}× the floor's)`;
  return [
    ["runtime: one sync call, mesh client + server CPU", vs(runtime.callUs, floor.callUs), "", ""],
    ["runtime: one event through the outbox relay (claimed, published with its ack, deleted), + nats-server", vs(runtime.relayPublishUs, floor.publishUs), "", ""],
    [
      "runtime: one delivery to a policy that does nothing (decoded, in its context, its inbox row in a batch transaction, counted, acked), + nats-server",
      vs(runtime.deliverUs, floor.deliverUs), "", "",
    ],
    [
      "runtime: one delivery its policy does not handle (NATS 2.9: one filter per consumer), + nats-server",
      runtime.ignoredUs === undefined ? "none on this NATS (2.10 and later: a consumer is filtered on exactly its subjects)" : vs(runtime.ignoredUs, floor.deliverUs), "", "",
    ],
  ];
}

export function sagaTargetRows(f: SagaTargetFigures, cores = availableParallelism()): Row[] {
  const t = SAGA_TARGETS;
  const w = f.cost.work;
  const rows: Row[] = [
    [`${f.system}: complete sagas/s at 100 clients`, int(f.sagasPerSecond), `≥ ${int(t.sagasPerSecond)}`, met(f.sagasPerSecond >= t.sagasPerSecond)],
    [`${f.system}: command p99 at 100 clients`, `${ms(f.commandP99Ms)} ms`, `< ${t.commandP99Ms} ms`, met(f.commandP99Ms < t.commandP99Ms)],
    [
      `${f.system}: CPU per saga ÷ floor`,
      `${f.cost.cpuMs.toFixed(2)} ms ÷ ${f.cost.floorMs.toFixed(2)} ms = ${f.cost.ratio.toFixed(1)}× (per saga: ${w.calls.toFixed(1)} calls, ${w.commits.toFixed(1)} commits, ${w.publishes.toFixed(1)} publishes, ${w.deliveries.toFixed(1)} deliveries)`,
      `≤ ${t.floorRatio}×`, met(f.cost.ratio <= t.floorRatio),
    ],
    // What this machine's cores could complete if nothing but the work were paid for: the ceiling
    // the sagas/s target meets (everything runs on these cores, bench client included).
    [
      `${f.system}: sagas/s ${cores} cores allow, at the floor's CPU per saga and at the measured`,
      `${int((cores * 1000) / f.cost.floorMs)} and ${int((cores * 1000) / f.cost.cpuMs)}`, "for reference", "",
    ],
  ];
  if (f.loop) {
    rows.push([`${f.system}: event-loop delay p99 at half load (worst: ${f.loop.service})`, `${ms(f.loop.delay.p99)} ms`, `< ${t.loopDelayP99Ms} ms`, met(f.loop.delay.p99 < t.loopDelayP99Ms)]);
  }
  rows.push([`${f.system}: view lag p99 at half load`, `${ms(f.viewLagP99Ms)} ms`, `< ${t.viewLagP99Ms} ms`, met(f.viewLagP99Ms < t.viewLagP99Ms)]);
  if (f.halfLoad) {
    // Single requests spread in time: events that came together at full load and shared a
    // transaction each take one of their own, and each process sleeps and is woken for them (on this
    // machine work right after a wake-up costs more than the same work back-to-back: the machine rows).
    const h = f.halfLoad;
    rows.push([
      `${f.system}: per saga at half load, CPU, commits and the wake-ups of its services' event loops`,
      `${h.cost.cpuMs.toFixed(2)} ms (${(h.cost.cpuMs / f.cost.cpuMs).toFixed(1)}× at full load); ${h.cost.work.commits.toFixed(1)} commits (${f.cost.work.commits.toFixed(1)} at full load); ${h.wakeUps.toFixed(0)} wake-ups (the event-loop monitors' included)`,
      "for reference", "",
    ]);
  }
  return rows;
}

/** The worst p99 among `services` (those of one system and the shared ones it uses). */
export function worstLoop(loop: Record<string, LoopDelay>, services: readonly string[]): SagaTargetFigures["loop"] {
  let worst: SagaTargetFigures["loop"];
  for (const id of services) {
    const d = loop[id];
    if (d && Number.isFinite(d.p99) && (!worst || d.p99 > worst.delay.p99)) worst = { service: id, delay: d };
  }
  return worst;
}
