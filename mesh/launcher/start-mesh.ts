// `npm start`'s whole main (services/start.ts hands it the catalog): the chosen systems' services,
// all in this one process by default (host.ts) or each as its own process with `--processes`
// (launcher.ts), NATS found or started, one combined log, commands typed in the terminal, and a
// graceful stop of everything on Ctrl-C or SIGTERM.
import { createInterface } from "node:readline";
import type { CatalogEntry } from "../service/catalog-entry.js";
import { ensureNats } from "./ensure-nats.js";
import { createHost } from "./host.js";
import { createLauncher } from "./launcher.js";

export interface StartMeshOptions {
  catalog: readonly CatalogEntry[];
  /** The systems one can choose on the command line; the catalog's other entries (shared services) always run. */
  systems: readonly string[];
  /** The command line: system names, and `--processes` for one process per service. */
  argv: readonly string[];
  /** Repository root, and the script that runs one service by id (relative to it): for `--processes`. */
  root: string;
  entry: string;
  /** Lines shown once everything is ready (how to try it), given what was started. */
  hint?: (started: readonly CatalogEntry[]) => string;
}

/** The switch for one process per service. */
export const processesFlag = "--processes";

// What start-mesh needs of either mode.
interface Services {
  /** Starts each and resolves when every one is ready. */
  startAll(ids: readonly string[]): Promise<void>;
  /** Starts one and resolves when it is ready. */
  start(id: string): Promise<void>;
  stop(id: string): Promise<void>;
  stopAll(): Promise<void>;
  status(id: string): string;
  /** A crash on purpose (restarted with backoff); only where each service is a process. */
  kill?(id: string): string | undefined;
}

/** Runs `npm start`; returns once every service is ready (the process then lives until Ctrl-C). */
export async function startMesh(options: StartMeshOptions): Promise<void> {
  const say = (msg: string) => process.stdout.write(`launcher: ${msg}\n`);
  const flags = options.argv.filter((a) => a.startsWith("-"));
  const systems = options.argv.filter((a) => !a.startsWith("-"));
  const processes = flags.includes(processesFlag);
  const unknown = [...flags.filter((f) => f !== processesFlag), ...systems.filter((s) => !options.systems.includes(s))];
  if (unknown.length) {
    say(`unknown ${unknown.join(" ")}; usage: npm start -- [${processesFlag}] [system...], systems: ${options.systems.join(", ")}`);
    process.exit(2);
  }
  // payment, notification and the gateway serve every system, so they always run.
  const shared = (system: string) => !options.systems.includes(system);
  const chosen = options.catalog.filter((e) => systems.length === 0 || shared(e.system) || systems.includes(e.system));
  const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
  const dataDir = process.env.DATA_DIR || "data";

  let nats;
  try {
    nats = await ensureNats(natsUrl, dataDir, say);
  } catch (error) {
    say(String((error as Error).message));
    process.exit(1);
  }

  const env = { NATS_URL: natsUrl, DATA_DIR: dataDir };
  const colour = process.stdout.isTTY;
  const services = processes ? perProcess(options, env, colour) : oneProcess(options, env, colour);
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say("stopping every service...");
    await services.stopAll();
    nats?.kill("SIGTERM");
    say("stopped");
    process.exit(code);
  };
  // Ctrl-C reaches npm, tsx and this process alike: stop once.
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());

  try {
    await services.startAll(chosen.map((e) => e.id));
  } catch (error) {
    if (stopping) return;
    say(`${(error as Error).message}; stopping`);
    return stop(1);
  }
  if (stopping) return;

  // Fault isolation on purpose, typed into this terminal (read only when it is one: `npm start < /dev/null &` in the background).
  const commands = processes
    ? "stop <service>, start <service>, kill <service> (a crash: restarted with backoff), status"
    : "stop <service>, start <service>, status";
  async function command(line: string): Promise<void> {
    const [verb, id] = line.trim().split(/\s+/);
    if (!verb) return;
    if (verb === "status") {
      say(`status${processes ? "" : ` (one process, pid ${process.pid})`}:\n  ${chosen.map((e) => `${e.id.padEnd(22)} ${services.status(e.id)}`).join("\n  ")}`);
      return;
    }
    if (verb === "kill" && !services.kill) {
      say(`kill crashes one service's process; here every service shares this one (a crash would stop them all). ` +
        `Run "npm start -- ${processesFlag}" for one process per service, to see a crash restarted while the others keep serving.`);
      return;
    }
    if (!["stop", "start", "kill"].includes(verb) || !chosen.some((e) => e.id === id)) {
      say(`commands: ${commands}; services: ${chosen.map((e) => e.id).join(", ")}`);
      return;
    }
    if (verb === "stop") {
      say(`stopping ${id} on purpose: it stays down until "start ${id}"`);
      await services.stop(id);
      if (!processes) say(`${id} stopped`);
    } else if (verb === "kill") {
      const problem = services.kill!(id);
      if (problem) say(problem);
    } else {
      await services.start(id).then(() => say(`${id} ready`), (error) => say((error as Error).message));
    }
  }
  if (process.stdin.isTTY) createInterface({ input: process.stdin }).on("line", (line) => void command(line).catch((error) => say(String(error))));

  const rows = chosen.map((e) => `  ${e.id.padEnd(22)} gRPC 127.0.0.1:${e.grpcPort}   HTTP http://127.0.0.1:${e.httpPort}  (REST, Connect, gRPC-Web, /readyz, /metrics)`);
  const how = processes
    ? `each service is a process of its own; one that crashes is restarted with backoff`
    : `every service in this one process (pid ${process.pid}); "npm start -- ${processesFlag}" runs each as its own process`;
  say(`ready ${process.uptime().toFixed(1)} s after this process started, ${how}:\n${rows.join("\n")}${options.hint?.(chosen) ?? ""}
  Type a command here: ${commands}.
  Ctrl-C stops everything.`);
}

// The default: every service in this process.
function oneProcess(options: StartMeshOptions, env: Record<string, string>, colour: boolean): Services {
  const host = createHost({ catalog: options.catalog, env: { ...process.env, ...env }, colour });
  return {
    startAll: (ids) => host.startAll(ids),
    start: (id) => host.start(id),
    stop: (id) => host.stop(id),
    stopAll: () => host.stopAll(),
    status: (id) => host.stateOf(id),
  };
}

// --processes: each service its own process, restarted when it crashes.
function perProcess(options: StartMeshOptions, env: Record<string, string>, colour: boolean): Services {
  const launcher = createLauncher({ catalog: options.catalog, root: options.root, entry: options.entry, env, colour });
  return {
    async startAll(ids) {
      for (const id of ids) await launcher.start(id);
      await Promise.all(ids.map((id) => launcher.waitReady(id)));
    },
    async start(id) {
      await launcher.start(id);
      await launcher.waitReady(id);
    },
    stop: (id) => launcher.stop(id).then(() => undefined),
    stopAll: () => launcher.stopAll(),
    status: (id) => `${launcher.stateOf(id)}${launcher.pidOf(id) ? ` (pid ${launcher.pidOf(id)})` : ""}`,
    kill(id) {
      const pid = launcher.pidOf(id);
      if (!pid) return `${id} is not running`;
      process.kill(pid, "SIGKILL");
      return undefined;
    },
  };
}
