import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { addressVariable, type CatalogEntry } from "../service/catalog-entry.js";
import { formatLogLine } from "./pretty-log.js";
import { exitWasAskedFor, formatDelay, restartDelay, restartPolicy, type RestartPolicy } from "./restart-policy.js";

export interface LauncherOptions {
  catalog: readonly CatalogEntry[];
  /** Repository root: the working directory of every service. */
  root: string;
  /** The script that runs one catalog service given its id (services/run.ts), relative to root. */
  entry: string;
  /** Added to every service's environment (NATS_URL, DATA_DIR, EVENT_NAMESPACE...). */
  env?: Record<string, string>;
  /** Ports to use instead of the catalog's (tests use free ones). */
  ports?: Record<string, { httpPort: number; grpcPort: number }>;
  /** Each service's environment on top of the rest (e.g. PAYMENT_LATENCY_MS for one). */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Where the combined log goes; pretty-printed lines. */
  write?: (line: string) => void;
  colour?: boolean;
  /**
   * How a service that crashes is restarted (see restart-policy.ts); false: never. A crash is an
   * exit nobody asked for (not stop(), not a clean exit after SIGTERM or SIGINT) of a service that
   * had been ready; a process that fails while it first starts is reported, not retried.
   */
  restart?: RestartPolicy | false;
}

/** How one process of a service starts, beyond the launcher's settings. */
export interface StartOptions {
  /** Extra environment for this start only (e.g. OUTBOX_RELAY_ENABLED=false). */
  env?: Record<string, string>;
  /** A second process of the same service (a replica): its own name and ports. */
  replica?: { name: string; httpPort: number; grpcPort: number };
}

/** Where a service stands: its process runs, a restart after a crash is pending, or it is down. */
export type ServiceState = "running" | "restarting" | "stopped";

/** Starts and stops the catalog's services as separate processes with one combined log, restarting those that crash. */
export interface Launcher {
  /** Starts a service's process (or a replica's, named `<id>#<name>`); now, if a restart was pending. */
  start(id: string, options?: StartOptions): Promise<void>;
  /** Resolves once /readyz answers 200 (waiting through a pending restart). */
  waitReady(id: string, timeoutMs?: number): Promise<void>;
  /**
   * Stops a service on purpose: it stays down until start(). SIGTERM (graceful) by default;
   * SIGKILL for a crash that is not restarted. Resolves when the process has exited.
   */
  stop(id: string, signal?: NodeJS.Signals): Promise<number | null>;
  stopAll(): Promise<void>;
  /** The services whose process runs. */
  running(): string[];
  stateOf(id: string): ServiceState;
  /** The process id of a running service. */
  pidOf(id: string): number | undefined;
  portsOf(id: string): { httpPort: number; grpcPort: number };
  /** Called whenever a service's process exits. */
  onExit?: (id: string, code: number | null) => void;
}

// One service (or replica) under the launcher: its process, and what a restart needs.
interface Supervised {
  serviceId: string;
  options: StartOptions;
  child?: ChildProcess;
  startedAt: number;
  /** The current process was told to stop. */
  stopping: boolean;
  /** Some process of it was ready since the last start on purpose: a crash now is restarted. */
  wasReady: boolean;
  /** Restarts in a row. */
  attempt: number;
  restartTimer?: NodeJS.Timeout;
}

/** Creates a launcher for the catalog's services. */
export function createLauncher(options: LauncherOptions): Launcher {
  const services = new Map<string, Supervised>();
  const recent = new Map<string, string[]>(); // each process's last output lines, for a start that fails
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const width = Math.max(...options.catalog.map((e) => e.id.length)) + 2;
  const policy = options.restart === false ? undefined : restartPolicy(options.restart);
  const entry = (id: string) => {
    const e = options.catalog.find((c) => c.id === id);
    if (!e) throw new Error(`unknown service ${id}`);
    return e;
  };
  const portsOf = (id: string) => options.ports?.[id] ?? { httpPort: entry(id).httpPort, grpcPort: entry(id).grpcPort };
  // A replica has ports, and a colour, of its own.
  const portsFor = (s: Supervised) => s.options.replica ?? portsOf(s.serviceId);
  const print = (id: string, s: Supervised, line: string) =>
    write(formatLogLine(id, line, { colour: options.colour ?? false, width, index: options.catalog.indexOf(entry(s.serviceId)) + (s.options.replica ? 5 : 0) }));
  const readyz = (id: string) => {
    const s = services.get(id);
    const { httpPort } = s ? portsFor(s) : portsOf(id);
    return fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
  };
  const say = (id: string, level: string, msg: string) => print(id, services.get(id)!, JSON.stringify({ time: new Date().toISOString(), level, msg }));

  function spawnProcess(id: string, s: Supervised): void {
    const e = entry(s.serviceId);
    const { httpPort, grpcPort } = portsFor(s);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...options.env, HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) };
    const own = { ...options.serviceEnv?.[s.serviceId], ...s.options.env };
    // A dependency's address is that of the port its callers' protocol uses.
    const grpc = (own.CLIENT_PROTOCOL ?? env.CLIENT_PROTOCOL) === "grpc";
    for (const dep of e.dependsOn) env[addressVariable(dep)] = `127.0.0.1:${grpc ? portsOf(dep).grpcPort : portsOf(dep).httpPort}`;
    Object.assign(env, own);
    // tsx is resolved from here (not the child's working directory) and only when a service starts:
    // the production image, which runs compiled code, has no tsx.
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), options.entry, e.id], { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
    Object.assign(s, { child, startedAt: Date.now(), stopping: false });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        recent.set(id, [...(recent.get(id) ?? []).slice(-19), line]);
        print(id, s, line);
      });
    }
    void (async () => {
      // Watches for the process's first readiness: from then on, a crash is restarted.
      while (s.child === child && !(await readyz(id))) await new Promise((r) => setTimeout(r, 100));
      if (s.child === child) s.wasReady = true;
    })();
    child.once("exit", (code, signal) => {
      if (s.child !== child) return;
      s.child = undefined;
      const how = `process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      if (s.stopping || exitWasAskedFor(code, signal)) say(id, code === 0 ? "info" : "warn", `${how}; stopped on purpose, not restarted`);
      else if (!policy) say(id, "warn", how);
      else if (!s.wasReady) say(id, "error", `${how} before it was ever ready; not restarted (its last lines say why)`);
      else {
        s.attempt = Date.now() - s.startedAt >= policy.resetAfterMs ? 1 : s.attempt + 1;
        const delay = restartDelay(s.attempt, policy);
        say(id, "warn", `${how}; restarting in ${formatDelay(delay)} (attempt ${s.attempt})`);
        s.restartTimer = setTimeout(() => {
          s.restartTimer = undefined;
          spawnProcess(id, s);
        }, delay);
      }
      launcher.onExit?.(id, code);
    });
  }

  const launcher: Launcher = {
    portsOf,
    running: () => [...services].filter(([, s]) => s.child).map(([id]) => id),
    stateOf: (id) => {
      const s = services.get(id);
      return s?.child ? "running" : s?.restartTimer ? "restarting" : "stopped";
    },
    pidOf: (id) => services.get(id)?.child?.pid,
    async start(serviceId, startOptions = {}) {
      entry(serviceId);
      const id = startOptions.replica ? `${serviceId}#${startOptions.replica.name}` : serviceId;
      const previous = services.get(id);
      if (previous?.child) return;
      clearTimeout(previous?.restartTimer);
      const s: Supervised = { serviceId, options: startOptions, startedAt: Date.now(), stopping: false, wasReady: false, attempt: 0 };
      services.set(id, s);
      spawnProcess(id, s);
    },
    async waitReady(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const s = services.get(id);
        if (!s?.child && !s?.restartTimer) {
          const why = !s ? "was never started" : s.wasReady ? "is stopped" : "exited before it was ready";
          throw new Error(`${id} ${why}; its last lines:\n${(recent.get(id) ?? []).join("\n")}`);
        }
        const child = s.child;
        if (child && (await readyz(id))) {
          if (s.child === child) s.wasReady = true; // seen here before the watcher's next look
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${id} was not ready within ${timeoutMs} ms`);
    },
    async stop(id, signal = "SIGTERM") {
      const s = services.get(id);
      if (!s) return null;
      if (s.restartTimer) {
        clearTimeout(s.restartTimer);
        s.restartTimer = undefined;
        say(id, "info", "restart cancelled: stopped on purpose");
      }
      const child = s.child;
      if (!child) return null;
      s.stopping = true;
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
    async stopAll() {
      await Promise.all([...services.keys()].map((id) => launcher.stop(id)));
    },
  };
  return launcher;
}
