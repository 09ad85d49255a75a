// Many catalog services in this one process, for development: each started with startService as
// it would be in a process of its own (its ports, database, NATS connection and consumers,
// clients and breakers, logger and metrics), with one combined, readable log. What one process
// cannot give is fault isolation: an uncaught error stops every service in it. The launcher
// (launcher.ts) runs each service as its own process for that.
import { startFailure } from "../config/env.js";
import type { CatalogEntry } from "../service/catalog-entry.js";
import { startService, type RunningService } from "../service/start-service.js";
import { formatLogLine } from "./pretty-log.js";

export interface HostOptions {
  catalog: readonly CatalogEntry[];
  /**
   * The environment every service reads (process.env by default). HTTP_PORT and GRPC_PORT in it are
   * ignored: each service listens on its own ports, the catalog's (or `ports`).
   */
  env?: Record<string, string | undefined>;
  /** Ports to use instead of the catalog's (tests use free ones); the services calling one find it there. */
  ports?: Record<string, { httpPort: number; grpcPort: number }>;
  /** Each service's environment on top of `env` (e.g. PAYMENT_LATENCY_MS for one). */
  serviceEnv?: Record<string, Record<string, string>>;
  /** Where the combined log goes; pretty-printed lines. */
  write?: (line: string) => void;
  colour?: boolean;
}

/** Where a hosted service stands. `failed`: its last start threw (the log says why). */
export type HostedState = "starting" | "running" | "stopping" | "stopped" | "failed";

/** Starts and stops the catalog's services inside this process. */
export interface Host {
  /** Starts a service; resolves once it is ready (its servers listen, its consumers run), rejects when it cannot start. */
  start(id: string): Promise<void>;
  /** Starts several at once (each has its own database and connections; streams are created idempotently) and waits for all. */
  startAll(ids: readonly string[]): Promise<void>;
  /** Stops a service gracefully (running.stop()); the others keep serving. Resolves once it has stopped. */
  stop(id: string): Promise<void>;
  stopAll(): Promise<void>;
  /** The services that run. */
  running(): string[];
  stateOf(id: string): HostedState;
  portsOf(id: string): { httpPort: number; grpcPort: number };
  /** A running service (its metrics, logger, ports). */
  service(id: string): RunningService | undefined;
}

// HTTP_PORT and GRPC_PORT are one service's; in a shared environment they would put every service on the same ports.
const perService = new Set(["HTTP_PORT", "GRPC_PORT"]);

interface Hosted {
  state: HostedState;
  running?: RunningService;
  /** The start or stop under way. */
  pending?: Promise<void>;
}

/** Creates a host for the catalog's services. */
export function createHost(options: HostOptions): Host {
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const width = Math.max(...options.catalog.map((e) => e.id.length)) + 2;
  // The catalog as the services see it: with the ports they listen on, so that each finds its dependencies there.
  const catalog = options.catalog.map((e) => (options.ports?.[e.id] ? { ...e, ...options.ports[e.id] } : e));
  const base = Object.fromEntries(Object.entries(options.env ?? process.env).filter(([k]) => !perService.has(k)));
  const hosted = new Map<string, Hosted>();
  // Process metrics (process_*, nodejs_*) describe the one process: one service reports them, not each (every
  // registry collecting them would sample the event loop and watch GC once more). The first started does; when
  // it stops, the next one started.
  let processMetricsBy: string | undefined;

  const entry = (id: string) => {
    const e = catalog.find((c) => c.id === id);
    if (!e) throw new Error(`unknown service ${id}`);
    return e;
  };
  const print = (id: string, line: string) =>
    write(formatLogLine(id, line, { colour: options.colour ?? false, width, index: catalog.findIndex((e) => e.id === id) }));
  const say = (id: string, level: string, msg: string) => print(id, JSON.stringify({ time: new Date().toISOString(), level, msg }));
  const stateOf = (id: string): HostedState => hosted.get(id)?.state ?? "stopped";

  async function boot(id: string, h: Hosted): Promise<void> {
    const e = entry(id);
    const processMetrics = processMetricsBy === undefined || processMetricsBy === id;
    if (processMetrics) processMetricsBy = id;
    try {
      h.running = await startService(e.definition, {
        catalog, env: { ...base, ...options.serviceEnv?.[id] }, write: (line) => print(id, line), processMetrics,
      });
      h.state = "running";
    } catch (error) {
      if (processMetricsBy === id) processMetricsBy = undefined;
      h.state = "failed";
      say(id, "error", `cannot start: ${startFailure(error)}`);
      throw new Error(`${id} cannot start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const host: Host = {
    portsOf: (id) => ({ httpPort: entry(id).httpPort, grpcPort: entry(id).grpcPort }),
    running: () => [...hosted].filter(([, h]) => h.state === "running").map(([id]) => id),
    stateOf,
    service: (id) => (stateOf(id) === "running" ? hosted.get(id)?.running : undefined),
    async start(id) {
      entry(id);
      const h = hosted.get(id) ?? { state: "stopped" as HostedState };
      hosted.set(id, h);
      if (h.state === "running") return;
      if (h.state === "stopping") await h.pending;
      if (h.state === "starting") return h.pending;
      h.state = "starting";
      const started = (h.pending = boot(id, h));
      try {
        await started;
      } finally {
        if (h.pending === started) h.pending = undefined;
      }
    },
    async startAll(ids) {
      const outcomes = await Promise.allSettled(ids.map((id) => host.start(id)));
      const failed = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as Error).message] : []));
      if (failed.length) throw new Error(failed.join("; "));
    },
    async stop(id) {
      const h = hosted.get(id);
      if (!h) return;
      if (h.state === "starting") await h.pending?.catch(() => undefined);
      if (h.state === "stopping") return h.pending;
      if (h.state !== "running" || !h.running) return;
      const running = h.running;
      h.state = "stopping";
      const stopped = (h.pending = running.stop().catch((error: unknown) => {
        say(id, "error", `stop failed: ${error instanceof Error ? error.message : String(error)}`);
      }).finally(() => {
        h.state = "stopped";
        h.running = undefined;
        h.pending = undefined;
        if (processMetricsBy === id) processMetricsBy = undefined;
      }));
      await stopped;
    },
    async stopAll() {
      await Promise.all([...hosted.keys()].map((id) => host.stop(id)));
    },
  };
  return host;
}
