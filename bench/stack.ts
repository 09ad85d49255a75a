// The system under test: every catalog service as its own process (through the project's
// launcher, as `npm start` runs them) on free 127.0.0.1 ports, with a fresh data directory,
// its own event namespace and a quiet log; and the baseline servers as processes of their own.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { CatalogEntry } from "../mesh/index.js";
import { createLauncher, ensureNats } from "../mesh/launcher/index.js";
import { deleteNamespaceStreams, freePorts } from "../mesh/testing/index.js";
import { pidListeningOn } from "./procs.js";

/** Warn and error lines of one service: how many, and the distinct messages with their counts. */
export interface LogSummary {
  warn: number;
  error: number;
  /** Lines that were not JSON (crash output, stack traces). */
  other: number;
  messages: Map<string, number>;
}

export interface Stack {
  namespace: string;
  logPath: string;
  ids: string[];
  grpcAddress(id: string): string;
  httpPort(id: string): number;
  pids: Record<string, number>;
  natsPid?: number;
  /** Services that exited by themselves, with their exit codes. */
  exited: Map<string, number | null>;
  logs: Map<string, LogSummary>;
  stop(): Promise<void>;
}

// "12:00:00.000 flower-store warn  message  fields" (the launcher's uncoloured format).
const LINE = /^\S+ (\S+)\s+(warn|error)\s+(.*?)(?: {2}|$)/;

/** Starts the services `only` names (every service of `catalog` by default) and waits until each answers /readyz. */
export async function startStack(options: {
  root: string; catalog: readonly CatalogEntry[]; natsUrl: string; say: (line: string) => void;
  /** The services to run; the rest of the catalog is only known (the gateway is given every service's address, as `npm start -- <system>` gives it). */
  only?: readonly string[];
  /** Added to every service's environment (the profiler hook's, say). */
  env?: Record<string, string>;
}): Promise<Stack> {
  const { catalog, say } = options;
  const namespace = `bench_${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "flower-bench-"));
  const logPath = join(tmpdir(), `${namespace}.log`);
  const log = createWriteStream(logPath);
  const logs = new Map(catalog.map((e) => [e.id, { warn: 0, error: 0, other: 0, messages: new Map<string, number>() } as LogSummary]));
  const write = (line: string) => {
    log.write(line + "\n");
    const m = LINE.exec(line);
    const id = m?.[1] ?? catalog.find((e) => line.trimStart().startsWith(e.id + " "))?.id;
    const summary = id ? logs.get(id) : undefined;
    if (!summary) return;
    if (m) {
      summary[m[2] as "warn" | "error"]++;
      const key = `${m[2]}: ${m[3]}`;
      summary.messages.set(key, (summary.messages.get(key) ?? 0) + 1);
    } else if (!/^\d\d:\d\d:\d\d\.\d{3} /.test(line)) {
      summary.other++;
      const key = `output: ${line.trim().slice(id!.length).trim().slice(0, 160)}`;
      summary.messages.set(key, (summary.messages.get(key) ?? 0) + 1);
    }
  };

  const nats = await ensureNats(options.natsUrl, dataDir, say);
  const natsPid = nats?.pid ?? (await pidListeningOn(Number(new URL(options.natsUrl).port || 4222)));
  const free = await freePorts(catalog.length * 2);
  const ports = Object.fromEntries(catalog.map((e, i) => [e.id, { httpPort: free[2 * i], grpcPort: free[2 * i + 1] }]));
  const launcher = createLauncher({
    catalog, root: options.root, entry: "services/run.ts", ports, write, colour: false,
    env: { NATS_URL: options.natsUrl, DATA_DIR: dataDir, EVENT_NAMESPACE: namespace, LOG_LEVEL: "warn", HOST: "127.0.0.1", ...options.env },
  });
  const exited = new Map<string, number | null>();
  let stopping = false;
  launcher.onExit = (id, code) => {
    if (!stopping) {
      exited.set(id, code);
      say(`!! ${id} exited by itself (code ${code}); see ${logPath}`);
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => {
    stopping = true;
    await launcher.stopAll();
    // The run's streams go with it, so the shared NATS keeps no benchmark data.
    await deleteNamespaceStreams(options.natsUrl, namespace).catch((e) => say(`could not delete the run's streams: ${(e as Error).message}`));
    nats?.kill("SIGTERM");
    await new Promise((resolve) => log.end(resolve));
    await rm(dataDir, { recursive: true, force: true });
  })());

  const ids = options.only ? catalog.filter((e) => options.only!.includes(e.id)).map((e) => e.id) : catalog.map((e) => e.id);
  try {
    for (const id of ids) await launcher.start(id);
    await Promise.all(ids.map((id) => launcher.waitReady(id, 120_000)));
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message} (log: ${logPath})`);
  }
  const pids: Record<string, number> = {};
  for (const id of ids) {
    const pid = await pidListeningOn(ports[id].httpPort);
    if (pid) pids[id] = pid;
  }
  return {
    namespace, logPath, ids, pids, natsPid, exited, logs, stop,
    grpcAddress: (id) => `127.0.0.1:${ports[id].grpcPort}`,
    httpPort: (id) => ports[id].httpPort,
  };
}

/** A baseline server of bench/ running as its own process. */
export interface BenchServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

// Those running now, so that an interrupted run stops them too.
const running = new Set<ChildProcess>();

/** Starts `script` (which prints {"port":N} once bound) as its own process; resolves once it listens. */
export async function startBenchServer(root: string, script: string): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line).port));
    child.once("exit", (code) => reject(new Error(`${script} exited (code ${code})`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    port, pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Stops every bench server still running. */
export async function stopBenchServers(): Promise<void> {
  await Promise.all([...running].map((child) => new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  })));
}

/** The bare grpc-js echo server (bench/echo-server.ts). */
export const startEchoServer = (root: string) => startBenchServer(root, "bench/echo-server.ts");
