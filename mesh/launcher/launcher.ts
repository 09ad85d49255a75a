import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { addressVariable, type CatalogEntry } from "../service/catalog-entry.js";
import { formatLogLine } from "./pretty-log.js";

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
}

/** How one process of a service starts, beyond the launcher's settings. */
export interface StartOptions {
  /** Extra environment for this start only (e.g. OUTBOX_RELAY_ENABLED=false). */
  env?: Record<string, string>;
  /** A second process of the same service (a replica): its own name and ports. */
  replica?: { name: string; httpPort: number; grpcPort: number };
}

/** Starts and stops the catalog's services as separate processes with one combined log. */
export interface Launcher {
  /** Starts a service's process (or a replica's, named `<id>#<name>`). */
  start(id: string, options?: StartOptions): Promise<void>;
  /** Resolves once /readyz answers 200. */
  waitReady(id: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM (graceful) by default; SIGKILL for a crash. Resolves when the process has exited. */
  stop(id: string, signal?: NodeJS.Signals): Promise<number | null>;
  stopAll(): Promise<void>;
  running(): string[];
  portsOf(id: string): { httpPort: number; grpcPort: number };
  /** Called when a service exits by itself. */
  onExit?: (id: string, code: number | null) => void;
}

/** Creates a launcher for the catalog's services. */
export function createLauncher(options: LauncherOptions): Launcher {
  const children = new Map<string, ChildProcess>();
  const replicaPorts = new Map<string, { httpPort: number; grpcPort: number }>();
  const recent = new Map<string, string[]>(); // each process's last output lines, for a start that fails
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const width = Math.max(...options.catalog.map((e) => e.id.length)) + 2;
  const entry = (id: string) => {
    const e = options.catalog.find((c) => c.id === id);
    if (!e) throw new Error(`unknown service ${id}`);
    return e;
  };
  const portsOf = (id: string) => options.ports?.[id] ?? { httpPort: entry(id).httpPort, grpcPort: entry(id).grpcPort };

  const launcher: Launcher = {
    portsOf,
    running: () => [...children.keys()],
    async start(serviceId, startOptions = {}) {
      const e = entry(serviceId);
      const id = startOptions.replica ? `${serviceId}#${startOptions.replica.name}` : serviceId;
      if (children.has(id)) return;
      const { httpPort, grpcPort } = startOptions.replica ?? portsOf(serviceId);
      const env: Record<string, string> = { ...(process.env as Record<string, string>), ...options.env, HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) };
      for (const dep of e.dependsOn) env[addressVariable(dep)] = `127.0.0.1:${portsOf(dep).grpcPort}`;
      Object.assign(env, options.serviceEnv?.[serviceId], startOptions.env);
      // tsx is resolved from here (not the child's working directory) and only when a service starts:
      // the production image, which runs compiled code, has no tsx.
      const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), options.entry, e.id], { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
      children.set(id, child);
      if (startOptions.replica) replicaPorts.set(id, startOptions.replica);
      const index = options.catalog.indexOf(e) + (startOptions.replica ? 5 : 0);
      for (const stream of [child.stdout!, child.stderr!]) {
        createInterface({ input: stream }).on("line", (line) => {
          recent.set(id, [...(recent.get(id) ?? []).slice(-19), line]);
          write(formatLogLine(id, line, { colour: options.colour ?? false, width, index }));
        });
      }
      child.once("exit", (code, signal) => {
        if (children.get(id) !== child) return;
        children.delete(id);
        write(formatLogLine(id, JSON.stringify({ time: new Date().toISOString(), level: code === 0 ? "info" : "warn", msg: `process exited (${signal ?? `code ${code}`})` }), { colour: options.colour ?? false, width, index }));
        launcher.onExit?.(id, code);
      });
    },
    async waitReady(id, timeoutMs = 60_000) {
      const url = `http://127.0.0.1:${(replicaPorts.get(id) ?? portsOf(id)).httpPort}/readyz`;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!children.has(id)) throw new Error(`${id} exited before it was ready; its last lines:\n${(recent.get(id) ?? []).join("\n")}`);
        const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${id} was not ready within ${timeoutMs} ms`);
    },
    async stop(id, signal = "SIGTERM") {
      const child = children.get(id);
      if (!child) return null;
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
    async stopAll() {
      await Promise.all([...children.keys()].map((id) => launcher.stop(id)));
    },
  };
  return launcher;
}
