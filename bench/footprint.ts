// `npm run bench:footprint [-- --skip-build] [--only one,processes,image] [--idle-seconds N] [--settled-seconds N]
// [--dir <checkout>] [--detail]`: what starting
// the mesh costs, beside the targets of the issue:
//   (a) `npm start` of all five systems, every service in one process (the default): seconds until every
//       catalog service answers /readyz, and the resident memory of the whole process tree (npm, the
//       launcher and everything under it: the sum of each process's VmRSS) at that moment and after idling;
//   (b) the same with `npm start -- --processes` (one process per service);
//   (c) the idle resident memory of one service run as the container image runs it: compiled
//       (`npm run build`), `node <the Dockerfile's node flags> dist/services/run.js <id>`, a few seconds
//       after it is ready, and once more settled (V8's memory reducer gives back what starting took
//       some 10-20 s later).
// Everything runs on the catalog's ports (a) (b) or free ones (c), against the NATS at NATS_URL, with a
// fresh data directory and event namespace, and is stopped (its process group) whatever happens.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { deleteNamespaceStreams, freePorts } from "../mesh/testing/index.js";
import { catalog } from "../services/catalog.js";
import { mb, met, type Row } from "./format.js";
import { consoleTable } from "./report.js";
import { statusField } from "./procs.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
const MB = 2 ** 20;

/** The issue's targets. */
export const targets = { readySeconds: 10, totalRssBytes: 1024 * MB, imageIdleRssBytes: 80 * MB } as const;

/** One process of a tree: its id, command line and resident memory (VmRSS), bytes. */
export interface ProcessMemory {
  pid: number;
  command: string;
  rss: number;
}

/** The resident memory of a process tree: each process, and their sum. */
export interface TreeMemory {
  processes: ProcessMemory[];
  rss: number;
}

/** What `npm start` costs in one of its modes. */
export interface StartFootprint {
  mode: "one process" | "processes";
  /** What followed `npm start --`. */
  args: string[];
  services: number;
  /** From spawning `npm start` until every service answered /readyz. */
  readySeconds: number;
  atReady: TreeMemory;
  idle: TreeMemory;
  idleSeconds: number;
}

/** One service run as the image runs it, idle. */
export interface ImageFootprint {
  id: string;
  command: string[];
  readySeconds: number;
  /** Resident memory `idleSeconds` after it was ready. */
  rss: number;
  idleSeconds: number;
  /** V8's heap then, as the service's /metrics reports it (nodejs_heap_size_used_bytes / _total_bytes). */
  heapUsed: number;
  heapTotal: number;
  /** Resident memory `settledSeconds` after ready: once V8's memory reducer has given back what starting took (0: not read). */
  settledRss: number;
  settledSeconds: number;
}

export interface Footprint {
  oneProcess?: StartFootprint;
  processes?: StartFootprint;
  image?: ImageFootprint[];
}

export interface FootprintOptions {
  /** Which measurements (all by default). */
  only?: ReadonlyArray<"one" | "processes" | "image">;
  /** How long to idle before the second reading (5 s). */
  idleSeconds?: number;
  /** (c): when to read a service's memory once more, settled (30 s after ready; 0: not). */
  settledSeconds?: number;
  /** Skip `npm run build` before (c) (dist/ must be current). */
  skipBuild?: boolean;
  /** The services of (c). */
  imageServices?: readonly string[];
  /** The checkout whose dist/ and Dockerfile (c) runs (this one by default; e.g. a `git worktree` of another commit, built). */
  dir?: string;
  say?: (line: string) => void;
}

/** The services (c) measures: one of each shape (a saga's start, the shared payment, the gateway, a small system). */
export const representative = ["flower-order", "payment", "gateway", "cleaning-reservation"] as const;

// ---- /proc

interface Stat {
  pid: number;
  ppid: number;
  pgrp: number;
}

async function allStats(): Promise<Stat[]> {
  const stats: Stat[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    if (!text) continue;
    // After the ")" closing the command name: state, ppid, pgrp, ...
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    stats.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return stats;
}

/** The resident memory of `pid` and every process under it (each VmRSS; a process that just exited counts 0). */
export async function treeMemory(pid: number): Promise<TreeMemory> {
  const stats = await allStats();
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...stats.filter((s) => s.ppid === pids[i]).map((s) => s.pid));
  const processes: ProcessMemory[] = [];
  for (const p of pids) {
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    const kb = statusField(status, "VmRSS") || 0; // none for a process exiting
    const command = (await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "")).split("\0").filter(Boolean).join(" ");
    if (status) processes.push({ pid: p, command, rss: kb * 1024 });
  }
  return { processes, rss: processes.reduce((sum, p) => sum + p.rss, 0) };
}

async function groupAlive(pgrp: number): Promise<boolean> {
  return (await allStats()).some((s) => s.pgrp === pgrp);
}

// ---- processes started here: each leads a process group of its own, stopped as a whole

const started = new Set<number>();

// Ctrl-C or SIGTERM while something runs: stop what was started, then leave.
const onSignal = () => {
  for (const pgrp of started) {
    try {
      process.kill(-pgrp, "SIGTERM");
    } catch {
      // gone
    }
  }
  setTimeout(() => process.exit(130), 2000).unref();
};
const signals = ["SIGINT", "SIGTERM"] as const;

function startGroup(command: string, args: string[], env: Record<string, string>, logPath: string, cwd = root): ChildProcess {
  const log = openSync(logPath, "a");
  try {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", log, log] });
    if (started.size === 0) for (const s of signals) process.on(s, onSignal);
    if (child.pid) started.add(child.pid);
    return child;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM to the group (every process under it stops gracefully), then SIGKILL after `graceMs`. */
async function stopGroup(pgrp: number, graceMs = 30_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgrp, s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; await sleep(100)) {
    if (!(await groupAlive(pgrp))) break;
  }
  if (await groupAlive(pgrp)) signal("SIGKILL");
  started.delete(pgrp);
  if (started.size === 0) for (const s of signals) process.off(s, onSignal);
}

// ---- helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ready = (httpPort: number) =>
  fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until every port answers /readyz; rejects when `child` exits first or after `timeoutMs`. */
async function untilReady(child: ChildProcess, httpPorts: number[], timeoutMs: number, logPath: string): Promise<void> {
  let exited = false;
  child.once("exit", () => (exited = true));
  const pending = new Set(httpPorts);
  for (const deadline = Date.now() + timeoutMs; pending.size > 0; await sleep(50)) {
    if (exited) throw new Error(`it exited before it was ready; see ${logPath}`);
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs / 1000} s (ports ${[...pending].join(", ")}); see ${logPath}`);
    await Promise.all([...pending].map(async (p) => { if (await ready(p)) pending.delete(p); }));
  }
}

async function metric(httpPort: number, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), () => "");
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}

// ---- (a) and (b)

/** Starts `npm start -- <args>` for every system, measures it, stops it. */
export async function measureStart(mode: StartFootprint["mode"], options: { idleSeconds?: number; timeoutMs?: number; say?: (line: string) => void } = {}): Promise<StartFootprint> {
  const args = mode === "processes" ? ["--processes"] : [];
  const idleSeconds = options.idleSeconds ?? 5;
  const taken = (await Promise.all(catalog.map(async (e) => ((await portTaken(e.httpPort)) || (await portTaken(e.grpcPort)) ? e.id : "")))).filter(Boolean);
  if (taken.length) throw new Error(`the catalog's ports of ${taken.join(", ")} are in use: is npm start running already?`);
  const namespace = `fp${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "footprint-"));
  const logPath = join(dataDir, "npm-start.log");
  options.say?.(`npm start -- ${args.join(" ")} (log: ${logPath})`);
  const t0 = performance.now();
  const child = startGroup("npm", ["start", "--", ...args], { NATS_URL: natsUrl, DATA_DIR: dataDir, EVENT_NAMESPACE: namespace }, logPath);
  try {
    await untilReady(child, catalog.map((e) => e.httpPort), options.timeoutMs ?? 180_000, logPath);
    const readySeconds = (performance.now() - t0) / 1000;
    const atReady = await treeMemory(child.pid!);
    await sleep(idleSeconds * 1000);
    const idle = await treeMemory(child.pid!);
    return { mode, args, services: catalog.length, readySeconds, atReady, idle, idleSeconds };
  } finally {
    await stopGroup(child.pid!);
    await deleteNamespaceStreams(natsUrl, namespace).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---- (c)

/** The node flags of the Dockerfile's ENTRYPOINT (between the node binary and the script), so that (c) runs as the image does. */
export function imageNodeFlags(dockerfile = readFileSync(join(root, "Dockerfile"), "utf8")): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!line) throw new Error("the Dockerfile has no ENTRYPOINT [...] line");
  const argv = JSON.parse(line[1]) as string[];
  const script = argv.indexOf("dist/services/run.js");
  if (script < 1) throw new Error(`the Dockerfile's ENTRYPOINT does not run dist/services/run.js: ${line[1]}`);
  return argv.slice(1, script);
}

/** Runs `node <flags> dist/services/run.js <id>` (built already), waits until ready and `idleSeconds` more, reads its memory, stops it. */
export async function measureImageService(
  id: string, options: { idleSeconds?: number; settledSeconds?: number; say?: (line: string) => void; dir?: string } = {},
): Promise<ImageFootprint> {
  const idleSeconds = options.idleSeconds ?? 5;
  const settledSeconds = options.settledSeconds ?? 30;
  const [httpPort, grpcPort] = await freePorts(2);
  const namespace = `fp${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "footprint-"));
  const logPath = join(dataDir, `${id}.log`);
  const dir = options.dir ?? root;
  const command = [process.execPath, ...imageNodeFlags(readFileSync(join(dir, "Dockerfile"), "utf8")), "dist/services/run.js", id];
  options.say?.(`${command.slice(1).join(" ")} (log: ${logPath})`);
  const t0 = performance.now();
  // As the image's environment (Dockerfile ENV), on ports of its own.
  const child = startGroup(command[0], command.slice(1), {
    NODE_ENV: "production", HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), DATA_DIR: dataDir, NATS_URL: natsUrl, EVENT_NAMESPACE: namespace,
  }, logPath, dir);
  try {
    await untilReady(child, [httpPort], 60_000, logPath);
    const readySeconds = (performance.now() - t0) / 1000;
    await sleep(idleSeconds * 1000);
    const { rss } = await treeMemory(child.pid!);
    const [heapUsed, heapTotal] = [await metric(httpPort, "nodejs_heap_size_used_bytes"), await metric(httpPort, "nodejs_heap_size_total_bytes")];
    let settledRss = 0;
    if (settledSeconds > idleSeconds) {
      await sleep((settledSeconds - idleSeconds) * 1000);
      settledRss = (await treeMemory(child.pid!)).rss;
    }
    return { id, command: ["node", ...command.slice(1)], readySeconds, rss, idleSeconds, heapUsed, heapTotal, settledRss, settledSeconds };
  } finally {
    await stopGroup(child.pid!);
    await deleteNamespaceStreams(natsUrl, namespace).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Builds dist/ as the image does (`npm run build`). */
export async function build(): Promise<void> {
  await promisify(execFile)("npm", ["run", "build"], { cwd: root });
}

/** Every measurement asked for, one after the other (never two at once: they share ports and cores). */
export async function measureFootprint(options: FootprintOptions = {}): Promise<Footprint> {
  const only = new Set(options.only ?? ["one", "processes", "image"]);
  const figures: Footprint = {};
  if (only.has("one")) figures.oneProcess = await measureStart("one process", options);
  if (only.has("processes")) figures.processes = await measureStart("processes", options);
  if (only.has("image")) {
    if (!options.skipBuild && !options.dir) {
      options.say?.("npm run build");
      await build();
    }
    figures.image = [];
    for (const id of options.imageServices ?? representative) figures.image.push(await measureImageService(id, options));
  }
  return figures;
}

/** The figures beside their targets. */
export function footprintRows(f: Footprint): Row[] {
  const rows: Row[] = [["figure", "value", "target", ""]];
  for (const s of [f.oneProcess, f.processes]) {
    if (!s) continue;
    // The targets are npm start's (one process); --processes is there for fault isolation, shown for comparison.
    const verdict = (ok: boolean) => (s.mode === "one process" ? met(ok) : `(${met(ok)}; for comparison)`);
    const name = `npm start${s.args.length ? ` -- ${s.args.join(" ")}` : ""} (${s.mode}, ${s.services} services)`;
    rows.push(
      [`${name}: ready`, `${s.readySeconds.toFixed(1)} s`, `< ${targets.readySeconds} s`, verdict(s.readySeconds < targets.readySeconds)],
      [`${name}: RSS at ready, ${s.atReady.processes.length} processes`, `${mb(s.atReady.rss)} MB`, `< ${mb(targets.totalRssBytes)} MB`, verdict(s.atReady.rss < targets.totalRssBytes)],
      [`${name}: RSS after ${s.idleSeconds} s idle`, `${mb(s.idle.rss)} MB`, `< ${mb(targets.totalRssBytes)} MB`, verdict(s.idle.rss < targets.totalRssBytes)],
    );
  }
  for (const i of f.image ?? []) {
    rows.push([`image: ${i.id}, ${i.idleSeconds} s after ready (heap ${mb(i.heapUsed)} of ${mb(i.heapTotal)} MB)`, `${mb(i.rss)} MB`, `< ${mb(targets.imageIdleRssBytes)} MB`, met(i.rss < targets.imageIdleRssBytes)]);
    if (i.settledRss) rows.push([`image: ${i.id}, settled (${i.settledSeconds} s after ready)`, `${mb(i.settledRss)} MB`, `< ${mb(targets.imageIdleRssBytes)} MB`, met(i.settledRss < targets.imageIdleRssBytes)]);
  }
  return rows;
}

/** Which processes the tree's memory is in (the largest first). */
export function treeDetail(s: StartFootprint): string {
  const short = (c: string) => c.replace(root, "").replace(/--import \S+ /, "--import tsx ").slice(0, 90);
  return [...s.idle.processes].sort((a, b) => b.rss - a.rss).map((p) => `  ${mb(p.rss).padStart(7)} MB  ${short(p.command)}`).join("\n");
}

// `npm run bench:footprint`: measured and printed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const only = value("--only")?.split(",") as FootprintOptions["only"];
  const say = (line: string) => process.stderr.write(`footprint: ${line}\n`);
  const figures = await measureFootprint({
    only, skipBuild: argv.includes("--skip-build"), dir: value("--dir"), idleSeconds: Number(value("--idle-seconds") ?? 5),
    settledSeconds: Number(value("--settled-seconds") ?? 30), say,
  });
  if (figures.image?.[0]) console.log(`image command: ${figures.image[0].command.join(" ").replace(figures.image[0].id, "<id>")}`);
  console.log(consoleTable(footprintRows(figures)));
  for (const s of [figures.oneProcess, figures.processes]) if (s && argv.includes("--detail")) console.log(`\n${s.mode}, idle, by process:\n${treeDetail(s)}`);
}
