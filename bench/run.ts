// The benchmark itself (bench/flower.ts runs it as its own process): opens a breaker
// in-process, starts the catalog's services (the gateway among them) as processes, measures a
// bare grpc-js echo against the mesh's read path, REST against a bare connect-node server and
// the gateway's added latency, PlaceOrder at full load and at half rate with the sagas and view
// lag they cause, then prints the tables and writes docs/performance.md.
import { randomInt } from "node:crypto";
import { access, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { OrderService } from "../gen/flower/v1/order_pb.js";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { Health, HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { GetFlowerRequestSchema } from "../gen/flower/v1/store_pb.js";
import { catalog } from "../services/catalog.js";
import { measureOpenBreaker } from "./breaker.js";
import { measureGatewayLatency } from "./gateway-latency.js";
import { unaryCaller } from "./grpc-client.js";
import { collectHealth, mergeHealth } from "./health.js";
import { h2loadAvailable, h2loadGrpc, type H2loadResult } from "./h2load.js";
import { closedLoop, fixedRate } from "./load.js";
import { memoryOf, serviceMemory, withCpu } from "./procs.js";
import { consoleTable, figureRows, markdown, type Figures } from "./report.js";
import type { Row } from "./format.js";
import { profileSummary } from "./profile/summary.js";
import { footprintRows, measureFootprint } from "./footprint.js";
import { restRows, type RestFigures } from "./report-rest.js";
import { measureRestThroughput } from "./rest-throughput.js";
import { collectSagas, OrderBook } from "./sagas.js";
import { startEchoServer, startStack, stopBenchServers, type Stack } from "./stack.js";
import { systemBenches } from "./systems/index.js";
import { systemMarkdown, systemRows } from "./systems/report.js";
import type { SystemFigures } from "./systems/system-bench.js";
import { scrapeTimings, timingsBetween, type LoopDelay } from "./timings.js";
import { waitUntilSettled } from "./settle.js";
import { countWork, measureCommitUs, measureJetStreamUs, sagaCost, type FloorUnits, type SagaWork } from "./floor.js";
import { floorRows, runtimeUnitRows, sagaTargetRows, worstLoop, type SagaTargetFigures } from "./saga-targets.js";
import { measureRuntimeUnits } from "./runtime-units.js";
import { measureSparseWork, sparseWorkRows } from "./sparse-work.js";
import { measureSyncCall, stopSyncCall } from "./sync-call.js";
import { syncCallConsole, syncCallMarkdown } from "./sync-call-report.js";
import { cpuBetween, pidListeningOn, snapshotCpu, wakeUps } from "./procs.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" }, clients: { type: "string", default: "100" }, quick: { type: "boolean", default: false },
    // Samples every service's CPU (V8's profiler) during flower's full-load phase: where its time goes.
    profile: { type: "boolean", default: false },
  },
});
const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a whole number above 0, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const quick = values.quick;
const seconds = quick ? 5 : positive("seconds", values.seconds);
const clients = positive("clients", values.clients);
const halfSeconds = quick ? 5 : Math.max(5, Math.round(seconds / 2));
// Every system's saga first runs this long at full load, unmeasured: measured cold, the first
// seconds ran at a third of the rate while V8 compiled (seen on cleaning's saga).
const warmUpSeconds = quick ? 1 : 5;
const READ_CONCURRENCY = 100;
// REST and gateway runs: a few seconds each is enough for steady figures at their small concurrency.
const restSeconds = Math.min(seconds, 10);
const STOCK = 1_000_000;

const root = fileURLToPath(new URL("..", import.meta.url));
const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
const say = (line: string) => process.stdout.write(line + "\n");

let stack: Stack | undefined;
const cleanup = async () => {
  await stopSyncCall();
  await stopBenchServers();
  await stack?.stop();
};
// Ctrl-C may arrive twice (from the terminal and relayed by bench/flower.ts): stop once, exit after.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping every process...`);
    cleanup().finally(() => process.exit(130));
  });
}

// The services' own account of where their time went during one run.
async function withTimings<T>(phase: string, into: Figures["timings"], run: () => Promise<T>): Promise<T> {
  const ports = Object.fromEntries(stack!.ids.map((id) => [id, stack!.httpPort(id)]));
  const before = await scrapeTimings(ports);
  const result = await run();
  into.push({ phase, ...timingsBetween(before, await scrapeTimings(ports)) });
  return result;
}

/** What one phase (a load and following its sagas to the end) cost, over exactly that phase. */
interface PhaseCost {
  /** CPU seconds of every service and nats-server. */
  cpuSeconds: number;
  before: SagaWork;
  after: SagaWork;
  /** Each service's event-loop delay over the phase. */
  loop: Record<string, LoopDelay>;
  /** Times the services' event loops slept and were woken (nats-server's threads not counted). */
  wakeUps: number;
}

// The pids whose CPU a phase counts: the stack's services and nats-server, and this process when asked.
function processesOf(s: Stack, { withClient = false } = {}): Record<string, number> {
  return { ...s.pids, ...(withClient ? { "bench client": process.pid } : {}), ...(s.natsPid ? { "nats-server": s.natsPid } : {}) };
}

// Until every consumer of the stack's namespace has caught up (bench/settle.ts).
async function settle(): Promise<void> {
  const { waitedMs, settled } = await waitUntilSettled({ natsUrl, namespace: stack!.namespace, say });
  if (waitedMs > 2000 || !settled) say(`  consumers ${settled ? "caught up" : "not caught up"} after ${(waitedMs / 1000).toFixed(1)} s`);
}

// A half-load phase per complete saga: its CPU, the work it did (commits: how much shared a transaction) and its services' wake-ups.
const halfLoadOf = (cost: PhaseCost, sagas: number, units: FloorUnits, entryCalls = 1): SagaTargetFigures["halfLoad"] =>
  sagas > 0 ? { cost: sagaCost(cost.before, cost.after, sagas, cost.cpuSeconds, units, entryCalls), wakeUps: cost.wakeUps / sagas } : undefined;

async function measurePhase<T>(run: () => Promise<T>): Promise<{ result: T; cost: PhaseCost }> {
  const ports = Object.fromEntries(stack!.ids.map((id) => [id, stack!.httpPort(id)]));
  const pids = processesOf(stack!);
  // From a quiet stack, and until it is quiet again: the phase's CPU and work include what it left
  // to its consumers, and none of the previous phase's.
  await settle();
  // The event-loop histogram restarts at each scrape: the timings scrape comes last before and first after.
  const before = await countWork(ports);
  const timingsBefore = await scrapeTimings(ports);
  const cpuBefore = await snapshotCpu(pids);
  const wakeUpsBefore = await wakeUps(Object.values(stack!.pids));
  const result = await run();
  // Read before settling: the quiet tail would dilute the loop delay under load.
  const { loop } = timingsBetween(timingsBefore, await scrapeTimings(ports));
  await settle();
  const use = cpuBetween(cpuBefore, await snapshotCpu(pids));
  const woken = (await wakeUps(Object.values(stack!.pids))) - wakeUpsBefore;
  const after = await countWork(ports);
  const cpuSeconds = Object.values(use.cores).reduce((sum, cores) => sum + (Number.isFinite(cores) ? cores : 0), 0) * use.seconds;
  return { result, cost: { cpuSeconds, before, after, loop, wakeUps: woken } };
}

// The services a system's saga runs on: its own and the shared payment and notification.
const sagaServices = (system: string) => catalog.filter((e) => e.system === system || e.id === "payment" || e.id === "notification").map((e) => e.id);
// A system's stack, as `npm start -- <system>` runs it: its services, payment, notification and the
// gateway, each its own process. Not every system at once: on two cores, another system's idle
// services (each wakes a hundred times a second to sample its event loop) took a tenth of the
// machine and made a flower saga cost about a fifth more CPU (measured).
const stackOf = (system: string) => catalog.filter((e) => sagaServices(system).includes(e.id) || e.id === "gateway").map((e) => e.id);

// With --profile: the first call starts every service's profiler, the second writes its profile.
function toggleProfilers(): void {
  if (!values.profile) return;
  for (const pid of Object.values(stack!.pids)) process.kill(pid, "SIGUSR2");
}

const exists = (file: string) => access(file).then(() => true, () => false);

// Each service's busiest kinds of work in the profiled phase, as one line per service.
// `services`: the profiled stack's (read after the other systems ran, on stacks of their own).
async function profileRows(dir: string | undefined, cores: Record<string, number>, services: readonly string[]): Promise<Row[]> {
  if (!dir) return [];
  const rows: Row[] = [];
  // The saga's services: those that worked (an idle one's profile is the profiler's own ticks).
  for (const id of services.filter((id) => (cores[id] ?? 0) >= 0.05).sort((a, b) => (cores[b] ?? 0) - (cores[a] ?? 0))) {
    // A busy service may take seconds to stop its profiler and write its profile.
    const file = join(dir, `${id}.cpuprofile`);
    for (let waited = 0; waited < 30_000 && !(await exists(file)); waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    const summary = await profileSummary(file).catch(() => undefined);
    const top = summary ? summary.slice(0, 6).map((k) => `${k.kind} ${(k.share * 100).toFixed(0)} %`).join(", ") : "no profile written in 30 s";
    rows.push([`${id} (${(cores[id] ?? 0).toFixed(2)} cores)`, top, "", ""]);
  }
  return rows;
}

async function warmThenMeasure(phase: string, call: () => Promise<unknown>, pids: Record<string, number>) {
  await closedLoop({ phase: `${phase} (warm-up)`, seconds: 1, concurrency: READ_CONCURRENCY, call });
  return withCpu(pids, () => closedLoop({ phase, seconds, concurrency: READ_CONCURRENCY, call }));
}

async function main(): Promise<void> {
  say(`flower bench: ${seconds} s runs, ${clients} PlaceOrder clients${quick ? " (quick)" : ""}`);
  // The sync call against its peers first, while nothing else runs on the machine.
  say("synchronous call: the mesh against bare grpc-js, NestJS and Moleculer");
  const sync = await measureSyncCall({ seconds: quick ? 3 : 10, warmupSeconds: quick ? 1 : 2, runs: quick ? 1 : 2, say });
  say("floor: bare SQLite commits and JetStream publishes and deliveries");
  const natsPidBefore = await pidListeningOn(Number(new URL(natsUrl).port || 4222));
  const jetStream = await measureJetStreamUs(natsUrl, natsPidBefore);
  const units: FloorUnits = {
    callUs: sync.scenarios.grpc.clientUs + sync.scenarios.grpc.serverUs,
    commitUs: await measureCommitUs(),
    ...jetStream,
  };
  say("this machine's price for a wake-up: the same work back-to-back and in sparse wake-ups");
  const sparse = await measureSparseWork();
  say("the runtime's price for the same units: a call, a relayed publish, deliveries");
  const runtimeUnits = { callUs: sync.scenarios.mesh.clientUs + sync.scenarios.mesh.serverUs, ...(await measureRuntimeUnits(natsUrl, natsPidBefore)) };
  // What starting it costs: npm start (every service in one process) and one service as the image runs it.
  say("footprint: npm start, and services run as the image runs them");
  const footprint = footprintRows(await measureFootprint({ only: ["one", "image"], settledSeconds: quick ? 0 : 20, say })).slice(1);
  say("open breaker: 10,000 calls to the fallback");
  const breaker = await measureOpenBreaker(10_000);

  say("starting the services...");
  const profileDir = values.profile ? await mkdtemp(join(tmpdir(), "mesh-profile-")) : undefined;
  const profileEnv = profileDir ? { NODE_OPTIONS: `--import ${fileURLToPath(new URL("./profile/hook.mjs", import.meta.url))}`, PROFILE_DIR: profileDir } : undefined;
  stack = await startStack({ root, catalog, only: stackOf("flower"), natsUrl, say, env: profileEnv });
  say(`ready (namespace ${stack.namespace}, log ${stack.logPath})`);
  const idleRss: Record<string, number> = {};
  for (const id of stack.ids) idleRss[id] = (await memoryOf(stack.pids[id]).catch(() => ({ rss: NaN }))).rss;
  const changeStock = unaryCaller(stack.grpcAddress("flower-store"), StoreService.method.changeStock);
  for (const flowerId of ["1", "2", "3"]) await changeStock({ flowerId, stock: STOCK });
  changeStock.close();

  const pids = processesOf(stack, { withClient: true });
  const cpu: Figures["cpu"] = [];
  const timings: Figures["timings"] = [];

  const echo = await startEchoServer(root);
  const check = unaryCaller(`127.0.0.1:${echo.port}`, Health.method.check);
  const echoRun = await warmThenMeasure("bare echo", () => check({}), { "echo server": echo.pid, "bench client": process.pid });
  cpu.push({ phase: "bare echo", use: echoRun.use });
  const echoMemory = await memoryOf(echo.pid);
  check.close();
  // Server capacity with a client that is never the bottleneck (when h2load is installed).
  let capacity: Figures["capacity"];
  const haveH2load = await h2loadAvailable();
  if (haveH2load) {
    const h2 = (phase: string, address: string, path: string, measure: () => Promise<H2loadResult>) => {
      say(`${phase}: h2load ${address}${path} for ${seconds} s`);
      return measure();
    };
    const healthCheck = { schema: HealthCheckRequestSchema, request: {}, seconds };
    const storeAddress = stack.grpcAddress("flower-store");
    capacity = {
      echo: await h2("bare echo (h2load)", `127.0.0.1:${echo.port}`, "/grpc.health.v1.Health/Check",
        () => h2loadGrpc({ address: `127.0.0.1:${echo.port}`, path: "/grpc.health.v1.Health/Check", ...healthCheck })),
      meshCheck: await h2("mesh Health/Check (h2load)", storeAddress, "/grpc.health.v1.Health/Check",
        () => h2loadGrpc({ address: storeAddress, path: "/grpc.health.v1.Health/Check", ...healthCheck })),
      getFlower: await h2("GetFlower (h2load)", storeAddress, "/flower.v1.StoreService/GetFlower",
        () => h2loadGrpc({ address: storeAddress, path: "/flower.v1.StoreService/GetFlower", schema: GetFlowerRequestSchema, request: { id: "1" }, seconds })),
    };
  } else {
    say("h2load not found (Debian: apt-get install nghttp2-client): server capacity not measured");
  }
  await echo.stop();

  const getFlower = unaryCaller(stack.grpcAddress("flower-store"), StoreService.method.getFlower);
  const readRun = await withTimings("GetFlower", timings, () => warmThenMeasure("GetFlower", () => getFlower({ id: "1" }), pids));
  cpu.push({ phase: "GetFlower", use: readRun.use });
  getFlower.close();

  // REST: one server at a time against the bare connect-node baseline, then the gateway's latency.
  const storeHttpPort = stack.httpPort("flower-store");
  const rest: RestFigures = {
    throughput: haveH2load
      ? await measureRestThroughput({ root, storeHttpPort, storePid: stack.pids["flower-store"], seconds: restSeconds, say })
      : undefined,
    gateway: await measureGatewayLatency({ storeHttpPort, gatewayHttpPort: stack.httpPort("gateway"), pids: stack.pids, seconds: restSeconds }),
  };

  const placeOrder = unaryCaller(stack.grpcAddress("flower-order"), OrderService.method.placeOrder);
  const listHistories = unaryCaller(stack.grpcAddress("flower-order"), OrderService.method.listOrderHistories);
  const runTag = String(randomInt(1000, 10_000));
  const placeInto = (book: OrderBook) => ({
    call: (seq: number) => placeOrder({ flowerId: "1", qty: 1, address: "Seoul, Gangnam-gu 123", phoneNumber: book.phoneFor(seq), isOffline: false }),
    onSuccess: (res: { order?: { id: string; phoneNumber: string } }, sentAt: number) => book.add(res.order!.phoneNumber, res.order!.id, sentAt),
  });
  const collect = (book: OrderBook) => collectSagas(listHistories, book, { timeoutMs: 180_000, stallMs: 30_000, say });

  // Warm-up, and proof that a saga goes through before anything is measured.
  const warm = new OrderBook(`${runTag}-0`);
  await closedLoop({ phase: "PlaceOrder (warm-up)", seconds: warmUpSeconds, concurrency: clients, ...placeInto(warm) });
  const warmSagas = await collect(warm);
  if (warmSagas.completed === 0) throw new Error(`no warm-up order reached DeliveryStarted (${JSON.stringify(warmSagas.unfinished)}); see ${stack.logPath}`);

  const full = new OrderBook(`${runTag}-1`);
  const memory: Figures["memory"] = {};
  const { result: [placeRun, placeSagas], cost: placeCost } = await measurePhase(async () => {
    const run = await withTimings("PlaceOrder", timings, () =>
      withCpu(pids, () => closedLoop({ phase: "PlaceOrder", seconds, concurrency: clients, ...placeInto(full) })));
    for (const id of stack!.ids) memory[id] = { ...(await serviceMemory(stack!.pids[id], stack!.httpPort(id))), idle: idleRss[id] };
    return [run, await collect(full)] as const;
  });
  cpu.push({ phase: "PlaceOrder", use: placeRun.use });

  const halfRate = Math.max(1, placeRun.result.rate / 2);
  const half = new OrderBook(`${runTag}-2`);
  const { result: [halfRun, halfSagas], cost: halfCost } = await measurePhase(async () => {
    const run = await withCpu(pids, () => fixedRate({ phase: `PlaceOrder ${Math.round(halfRate)}/s`, seconds: halfSeconds, perSecond: halfRate, ...placeInto(half) }));
    return [run, await collect(half)] as const;
  });
  cpu.push({ phase: "PlaceOrder half rate", use: halfRun.use });
  // With --profile, one more full-load run with every service's profiler on, apart from the measured
  // ones (the profiler's own cost stays out of their figures).
  let profiledCores: Record<string, number> = {};
  if (profileDir) {
    const profiledBook = new OrderBook(`${runTag}-3`);
    toggleProfilers();
    const profiled = await withCpu(pids, () => closedLoop({ phase: "PlaceOrder (profiled)", seconds: Math.min(seconds, 10), concurrency: clients, ...placeInto(profiledBook) }));
    toggleProfilers();
    profiledCores = profiled.use.cores;
    await collect(profiledBook);
  }
  const sagaTargets: SagaTargetFigures[] = [{
    system: "flower",
    sagasPerSecond: placeSagas.sagasPerSecond,
    commandP99Ms: placeRun.result.latencyMs.percentiles(0.99)[0],
    cost: sagaCost(placeCost.before, placeCost.after, placeSagas.completed, placeCost.cpuSeconds, units),
    loop: worstLoop(halfCost.loop, sagaServices("flower")),
    viewLagP99Ms: halfSagas.lag.percentiles(0.99)[0],
    halfLoad: halfLoadOf(halfCost, halfSagas.completed, units),
  }];
  placeOrder.close();
  listHistories.close();

  // Every other system's saga on a stack of its own, one after the other.
  const health = [await collectHealth(stack, natsUrl)];
  const systemFigures: SystemFigures[] = [];
  for (const bench of systemBenches) {
    say(`\n${bench.system} saga:`);
    await stack.stop();
    stack = undefined;
    stack = await startStack({ root, catalog, only: stackOf(bench.system), natsUrl, say });
    say(`${bench.system}'s stack ready (${stack.ids.join(", ")}; namespace ${stack.namespace}, log ${stack.logPath})`);
    const pids = processesOf(stack, { withClient: true });
    // Measured for every system alike: where the cores went over its whole bench (both rates, and following the sagas).
    const phases: Partial<Record<"full" | "half", PhaseCost>> = {};
    const measure = <T>(phase: "full" | "half", run: () => Promise<T>) => measurePhase(run).then(({ result, cost }) => ((phases[phase] = cost), result));
    const { result, use } = await withCpu(pids, () => bench.run({ stack: stack!, seconds, halfSeconds, clients, warmUpSeconds, quick, say, measure }));
    if (phases.full && phases.half) {
      sagaTargets.push({
        system: bench.system,
        sagasPerSecond: result.fullSagas.sagasPerSecond,
        commandP99Ms: result.full.latencyMs.percentiles(0.99)[0],
        cost: sagaCost(phases.full.before, phases.full.after, result.fullSagas.completed, phases.full.cpuSeconds, units, result.commandCalls),
        loop: worstLoop(phases.half.loop, sagaServices(bench.system)),
        viewLagP99Ms: result.halfSagas.lag.percentiles(0.99)[0],
        halfLoad: halfLoadOf(phases.half, result.halfSagas.completed, units, result.commandCalls),
      });
    }
    const busiest = Object.entries(use.cores).filter(([id]) => id !== "bench client").sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id, c]) => `${id} ${c.toFixed(2)}`).join(", ");
    result.bound = `${result.bound.replace(/\.?$/, ".")} Over this system's whole bench, ${use.busyCores.toFixed(1)} of the machine's ${use.totalCores.toFixed(1)} cores were busy (bench client ${(use.cores["bench client"] ?? 0).toFixed(2)}); the busiest services: ${busiest}.`;
    systemFigures.push(result);
    health.push(await collectHealth(stack, natsUrl));
  }

  const figures: Figures = {
    date: new Date(),
    machine: { nproc: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU", node: process.version },
    command: [...(process.env.NATS_URL ? [`NATS_URL=${process.env.NATS_URL}`] : []), "npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    seconds, clients, readConcurrency: READ_CONCURRENCY,
    echo: echoRun.result, read: readRun.result,
    place: placeRun.result, placeSagas,
    half: halfRun.result, halfRate, halfSagas,
    breaker, memory, echoMemory, cpu, timings, health: mergeHealth(health), capacity, rest, sparse,
  };
  const targetRows = [...floorRows(units), ...sparseWorkRows(sparse), ...runtimeUnitRows(units, runtimeUnits), ...sagaTargets.flatMap((f) => sagaTargetRows(f))];
  const profiled = await profileRows(profileDir, profiledCores, stackOf("flower"));
  if (profiled.length) say("\nwhere each service's CPU went at full load (V8 profiles, self time by kind of work):\n" + consoleTable(profiled));
  say("\n" + syncCallConsole(sync));
  say("\n" + consoleTable(figureRows(figures)) + "\n\n" + consoleTable(restRows(rest)));
  for (const f of systemFigures) say("\n" + systemRows(f).map((r) => r.join("  ")).join("\n"));
  say("\nsagas against their targets:\n" + consoleTable(targetRows));
  say("\nfootprint:\n" + consoleTable(footprint));
  const doc = fileURLToPath(new URL("../docs/performance.md", import.meta.url));
  await mkdir(dirname(doc), { recursive: true });
  // A --quick run is a smoke check: it does not replace the figures of a full run.
  if (quick) {
    say(`\n--quick: docs/performance.md left as it is; service log: ${stack.logPath}`);
  } else {
    await writeFile(doc, [
      markdown(figures, { sync: syncCallMarkdown(sync), sagas: targetRows, profiles: profiled, footprint }),
      ...(systemFigures.length ? ["# The other systems' sagas\n", ...systemFigures.map(systemMarkdown)] : []),
    ].join("\n"));
    say(`\nwritten: docs/performance.md; service log: ${stack.logPath}`);
  }
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  if (!interrupted) say(`bench failed: ${(error as Error).stack ?? error}`);
} finally {
  say("stopping every process...");
  await cleanup();
}
process.exit(failed ? 1 : 0);
