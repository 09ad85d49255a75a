// One synchronous service-to-service call (flower StoreService.GetFlower, constant answer,
// 100 in flight), client process → server process on 127.0.0.1, for the mesh runtime and its
// peers: bare grpc-js (the floor), NestJS's gRPC microservice, Moleculer over NATS with only a
// circuit breaker and with the mesh's own resilience matched. Each scenario's processes live in
// bench/peers/; with several runs the scenarios take turns, so a slow minute of the machine
// does not fall on one of them only.
import { randomBytes } from "node:crypto";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { peerEnv, RESULT, READY, SERVED, type PeerLoopResult, type ServerReady } from "./peers/protocol.js";
import { findNatsServerPid, startPeer, stopAllPeers } from "./peers/processes.js";

export const scenarioKeys = ["mesh", "grpc", "nest", "moleculerCb", "moleculerMatched"] as const;
export type ScenarioKey = (typeof scenarioKeys)[number];

interface Scenario {
  key: ScenarioKey;
  label: string;
  server: string;
  client: string;
  env?: Record<string, string>;
  /** Goes through NATS: nats-server's CPU is charged to it too. */
  nats?: boolean;
}

const scenarios: Scenario[] = [
  { key: "mesh", label: "mesh runtime → mesh runtime", server: "bench/peers/mesh-server.ts", client: "bench/peers/mesh-client.ts" },
  { key: "grpc", label: "bare grpc-js → bare grpc-js", server: "bench/peers/grpc-server.ts", client: "bench/peers/grpc-client.ts" },
  { key: "nest", label: "NestJS ClientGrpc → NestJS gRPC microservice", server: "bench/peers/nest-server.ts", client: "bench/peers/nest-client.ts" },
  { key: "moleculerCb", label: "Moleculer 0.14, NATS, circuit breaker only", server: "bench/peers/moleculer-server.ts", client: "bench/peers/moleculer-client.ts", env: { [peerEnv.profile]: "cb" }, nats: true },
  { key: "moleculerMatched", label: "Moleculer 0.14, NATS, matched resilience", server: "bench/peers/moleculer-server.ts", client: "bench/peers/moleculer-client.ts", env: { [peerEnv.profile]: "matched" }, nats: true },
];

/** What the mesh must reach against each peer (calls/s ratio). */
export const SYNC_CALL_TARGETS = { meshOverNest: 1.0, meshOverMoleculerMatched: 0.5 } as const;

/** One run of one scenario. */
export interface SyncCallRun {
  run: number;
  rate: number;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** CPU per call in the measured window, µs. */
  clientUs: number;
  serverUs: number;
  natsUs?: number;
  /** Cores busy on the machine beyond this scenario's processes (other work disturbing the figures). */
  otherCores: number;
  /** The server's count of calls served against the client's count of right answers: served ≥ answered proves they crossed. */
  served: number;
  answered: number;
  /** How the client reached the server, when the scenario reports it (the mesh's protocol and port). */
  note?: string;
}

export interface SyncCallScenario {
  key: ScenarioKey;
  label: string;
  runs: SyncCallRun[];
  /** Why a run produced no figures. */
  failures: string[];
  /** Mean over the runs that measured. */
  rate: number;
  /** Over all runs: CPU seconds ÷ calls, µs. */
  clientUs: number;
  serverUs: number;
  natsUs?: number;
  errors: number;
  crossed: boolean;
}

export interface SyncCallFigures {
  date: Date;
  machine: { nproc: number; cpuModel: string; node: string };
  seconds: number;
  warmupSeconds: number;
  runs: number;
  concurrency: number;
  natsPid?: number;
  scenarios: Record<ScenarioKey, SyncCallScenario>;
  /** calls/s of the mesh ÷ the peer's, on the means (NaN when either did not run). */
  ratios: { meshOverNest: number; meshOverMoleculerMatched: number; meshOverMoleculerCb: number; meshOverGrpc: number };
}

export interface SyncCallOptions {
  seconds: number;
  warmupSeconds?: number;
  runs?: number;
  /** The scenarios to run (every one by default); a ratio to one left out is NaN. */
  only?: readonly ScenarioKey[];
  say?: (line: string) => void;
}

const CONCURRENCY = 100;
const root = fileURLToPath(new URL("..", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One scenario once: server up, client measures, both stopped; the server's count read at its stop.
async function runOnce(s: Scenario, run: number, o: Required<SyncCallOptions>, natsPid: number | undefined): Promise<SyncCallRun> {
  const env = { ...s.env, [peerEnv.namespace]: `syncbench-${randomBytes(4).toString("hex")}` };
  const server = startPeer(root, s.server, env, `${s.key} server`, o.say);
  let client: ReturnType<typeof startPeer> | undefined;
  try {
    const ready = await server.waitFor<ServerReady>(READY, 60_000);
    client = startPeer(root, s.client, {
      ...env,
      [peerEnv.server]: JSON.stringify(ready),
      [peerEnv.serverPid]: String(server.pid),
      ...(s.nats && natsPid ? { [peerEnv.natsPid]: String(natsPid) } : {}),
      [peerEnv.warmupSeconds]: String(o.warmupSeconds),
      [peerEnv.seconds]: String(o.seconds),
      [peerEnv.concurrency]: String(CONCURRENCY),
    }, `${s.key} client`, o.say);
    const r = await client.waitFor<PeerLoopResult>(RESULT, (o.warmupSeconds + o.seconds + 60) * 1000);
    await client.stop();
    const stopping = server.waitFor<{ served: number }>(SERVED, 10_000);
    await server.stop();
    const { served } = await stopping;
    const us = (name: string) => (r.cpuSeconds[name] === undefined ? undefined : (r.cpuSeconds[name] * 1e6) / r.calls);
    const ours = Object.values(r.cpuSeconds).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) / r.seconds;
    return {
      run, rate: r.rate, calls: r.calls, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, errorKinds: r.errorKinds,
      clientUs: us("client")!, serverUs: us("server")!, natsUs: us("nats"),
      otherCores: Math.max(0, r.machine.busyCores - ours), served, answered: r.answered, note: r.note,
    };
  } finally {
    await client?.stop();
    await server.stop();
  }
}

// A scenario's runs folded into one line: mean rate, CPU per call over every call measured.
function summarize(s: Scenario, runs: SyncCallRun[], failures: string[]): SyncCallScenario {
  const calls = runs.reduce((a, r) => a + r.calls, 0);
  const perCall = (pick: (r: SyncCallRun) => number | undefined) =>
    runs.some((r) => pick(r) === undefined) ? undefined : runs.reduce((a, r) => a + pick(r)! * r.calls, 0) / calls;
  return {
    key: s.key, label: s.label, runs, failures,
    rate: runs.length ? runs.reduce((a, r) => a + r.rate, 0) / runs.length : NaN,
    clientUs: perCall((r) => r.clientUs) ?? NaN,
    serverUs: perCall((r) => r.serverUs) ?? NaN,
    natsUs: s.nats ? perCall((r) => r.natsUs) : undefined,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    crossed: runs.length > 0 && runs.every((r) => r.served >= r.answered),
  };
}

/** Runs every scenario `runs` times (interleaved), each as client process → server process. */
export async function measureSyncCall(options: SyncCallOptions): Promise<SyncCallFigures> {
  const o: Required<SyncCallOptions> = { warmupSeconds: 2, runs: 1, say: () => {}, only: scenarios.map((s) => s.key), ...options };
  const natsPid = await findNatsServerPid();
  if (!natsPid) o.say("no nats-server found listening at NATS_URL: its CPU is not counted for Moleculer");
  const runs = new Map<ScenarioKey, SyncCallRun[]>(scenarios.map((s) => [s.key, []]));
  const failures = new Map<ScenarioKey, string[]>(scenarios.map((s) => [s.key, []]));
  for (let run = 1; run <= o.runs; run++) {
    for (const s of scenarios.filter((s) => o.only.includes(s.key))) {
      o.say(`${s.label}: run ${run} of ${o.runs} (${o.warmupSeconds} s warm-up, ${o.seconds} s measured)`);
      try {
        const r = await runOnce(s, run, o, natsPid);
        runs.get(s.key)!.push(r);
        o.say(`  ${Math.round(r.rate).toLocaleString("en-US")} calls/s · client ${r.clientUs.toFixed(0)} µs/call · server ${r.serverUs.toFixed(0)} µs/call` +
          `${r.natsUs !== undefined ? ` · nats ${r.natsUs.toFixed(0)} µs/call` : ""} · ${r.errors} errors · served ${r.served} / answered ${r.answered}${r.note ? ` · ${r.note}` : ""}`);
      } catch (error) {
        failures.get(s.key)!.push(`run ${run}: ${(error as Error).message}`);
        o.say(`  FAILED: ${(error as Error).message}`);
      }
      await sleep(1000); // sockets and CPU settle between scenarios
    }
  }
  const by = Object.fromEntries(scenarios.map((s) => [s.key, summarize(s, runs.get(s.key)!, failures.get(s.key)!)])) as Record<ScenarioKey, SyncCallScenario>;
  const mesh = by.mesh.rate;
  return {
    date: new Date(),
    machine: { nproc: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU", node: process.version },
    seconds: o.seconds, warmupSeconds: o.warmupSeconds, runs: o.runs, concurrency: CONCURRENCY, natsPid,
    scenarios: by,
    ratios: {
      meshOverNest: mesh / by.nest.rate,
      meshOverMoleculerMatched: mesh / by.moleculerMatched.rate,
      meshOverMoleculerCb: mesh / by.moleculerCb.rate,
      meshOverGrpc: mesh / by.grpc.rate,
    },
  };
}

/** Stops whatever scenario processes are still running (for an interrupted run). */
export const stopSyncCall = stopAllPeers;
