// What the processes cost: which pid listens on a port, its CPU time and memory from /proc,
// the machine's busy time, and a service's Prometheus counters from its /metrics.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { parseMetrics, type Sample } from "../mesh/testing/metric-samples.js";

const run = promisify(execFile);
const CLOCK_TICKS = 100; // USER_HZ; `getconf CLK_TCK` is 100 on Linux

/** The pid of the process listening on 127.0.0.1:`port` (ss -ltnp), or undefined. */
export async function pidListeningOn(port: number): Promise<number | undefined> {
  const { stdout } = await run("ss", ["-Hltnp", `sport = :${port}`]).catch(() => ({ stdout: "" }));
  const m = /pid=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** User + system CPU seconds a process has used so far (all its threads). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** One number of a /proc/<pid>/status text ("VmRSS:   1234 kB" → 1234); NaN when the field is absent. */
export function statusField(status: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
}

/** Resident memory now and at its peak (VmRSS, VmHWM), bytes. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return { rss: statusField(status, "VmRSS") * 1024, peak: statusField(status, "VmHWM") * 1024 };
}

/** A service's memory: resident (now, peak) from /proc, and its V8 heap from its /metrics, bytes. */
export interface ServiceMemory {
  rss: number;
  peak: number;
  heapUsed: number;
  heapTotal: number;
}

export async function serviceMemory(pid: number, httpPort: number): Promise<ServiceMemory> {
  const { rss, peak } = await memoryOf(pid).catch(() => ({ rss: NaN, peak: NaN }));
  const samples = await scrapeMetrics(httpPort).catch(() => []);
  const get = (name: string) => samples.find((s) => s.name === name)?.value ?? NaN;
  return { rss, peak, heapUsed: get("nodejs_heap_size_used_bytes"), heapTotal: get("nodejs_heap_size_total_bytes") };
}

/** The machine's CPU seconds so far: busy (everything but idle and iowait) and total, over all cores. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0];
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  const total = t.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - t[3] - t[4]) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** Reads a service's /metrics (Prometheus text format) from its HTTP port. */
export async function scrapeMetrics(httpPort: number): Promise<Sample[]> {
  const text = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text());
  return parseMetrics(text);
}

/**
 * How many times a process's main thread (a Node service's event loop) slept and was woken: its
 * voluntary context switches. Summed over `pids`; a process that is gone counts nothing.
 */
export async function wakeUps(pids: readonly number[]): Promise<number> {
  let n = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    n += statusField(status, "voluntary_ctxt_switches") || 0;
  }
  return n;
}

/** CPU seconds of this process and, when its pid is known, nats-server together: what a publish or delivery costs on both ends. */
export async function ownAndNatsCpuSeconds(natsPid: number | undefined): Promise<number> {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + (natsPid ? await cpuSeconds(natsPid) : 0);
}

/** CPU seconds of named processes and of the machine at one moment. */
export interface CpuSnapshot {
  wallSeconds: number;
  perProcess: Record<string, number>;
  machine: { busy: number; total: number };
}

/** Reads the CPU time of each named pid (the bench itself is `process.pid`). */
export async function snapshotCpu(pids: Record<string, number>): Promise<CpuSnapshot> {
  const perProcess: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) perProcess[name] = await cpuSeconds(pid).catch(() => NaN);
  return { wallSeconds: performance.now() / 1000, perProcess, machine: await machineCpu() };
}

/** Where the cores went between two snapshots: cores used by each process, and by the machine. */
export interface CpuUse {
  seconds: number;
  cores: Record<string, number>;
  busyCores: number;
  /** Cores the machine has (its total CPU time ÷ wall time). */
  totalCores: number;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const seconds = b.wallSeconds - a.wallSeconds;
  const cores: Record<string, number> = {};
  for (const name of Object.keys(b.perProcess)) cores[name] = (b.perProcess[name] - a.perProcess[name]) / seconds;
  return { seconds, cores, busyCores: (b.machine.busy - a.machine.busy) / seconds, totalCores: (b.machine.total - a.machine.total) / seconds };
}

/** Runs `run` and returns its result with the CPU each named process used meanwhile. */
export async function withCpu<T>(pids: Record<string, number>, run: () => Promise<T>): Promise<{ result: T; use: CpuUse }> {
  const before = await snapshotCpu(pids);
  const result = await run();
  return { result, use: cpuBetween(before, await snapshotCpu(pids)) };
}
