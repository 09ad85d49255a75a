import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLauncher, type Launcher } from "../launcher/launcher.js";
import type { CatalogEntry } from "../service/catalog-entry.js";
import type { Dialect } from "../db/database.js";
import { freePorts } from "./free-port.js";
import { testDatabaseUrl } from "./test-database.js";
import { deleteNamespaceStreams, testNamespace } from "./test-namespace.js";

export interface TestSystemOptions {
  catalog: readonly CatalogEntry[];
  root: string;
  /** The script that runs one catalog service given its id, relative to root. Default services/run.ts. */
  entry?: string;
  /** The services to start, by catalog id. */
  ids: readonly string[];
  env?: Record<string, string>;
  /** Where the services keep their data: SQLite files in the data folder (the default), or a fresh MySQL database per service (dropped on stop). */
  dialect?: Dialect;
  serviceEnv?: Record<string, Record<string, string>>;
  /** Writes every log line (pretty-printed) to a file in the temp folder, `<log>-<pid>.log`, named on stop for whoever reads a failure. */
  log?: string;
  /** Or collects every log line for the test to read. */
  write?: (line: string) => void;
}

/** A system under test: every service a real process, as `npm start` runs them, on free ports. */
export interface TestSystem {
  launcher: Launcher;
  namespace: string;
  natsUrl: string;
  dataDir: string;
  /** The file the services' log lines go to, when `log` named one. */
  logFile?: string;
  /** `http://127.0.0.1:<port>` of a service's gRPC or HTTP port. */
  url(id: string, port?: "grpc" | "http"): string;
  /** Stops every process and removes the test's streams and files. */
  stop(): Promise<void>;
}

/** Starts `ids` as processes with a fresh data folder and event namespace; ready when it returns. */
export async function startTestSystem(options: TestSystemOptions): Promise<TestSystem> {
  const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
  const namespace = testNamespace();
  const dataDir = await mkdtemp(join(tmpdir(), "mesh-system-"));
  // One DATABASE_URL: each service derives its own database from it (<name>_<service>).
  const mysql = options.dialect === "mysql" ? await testDatabaseUrl("mysql") : undefined;
  const ports: Record<string, { httpPort: number; grpcPort: number }> = {};
  const free = await freePorts(options.catalog.length * 2);
  options.catalog.forEach((e, i) => (ports[e.id] = { httpPort: free[2 * i], grpcPort: free[2 * i + 1] }));
  const logFile = options.log ? join(tmpdir(), `${options.log}-${process.pid}.log`) : undefined;
  const write = options.write ?? (logFile ? (line: string) => appendFileSync(logFile, line + "\n") : () => {});
  const launcher = createLauncher({
    catalog: options.catalog, root: options.root, entry: options.entry ?? "services/run.ts", ports, serviceEnv: options.serviceEnv, write,
    env: { NATS_URL: natsUrl, EVENT_NAMESPACE: namespace, DATA_DIR: dataDir, HOST: "127.0.0.1", ...(mysql && { DATABASE_URL: mysql.url }), ...options.env },
  });
  const stop = async () => {
    await launcher.stopAll();
    await deleteNamespaceStreams(natsUrl, namespace).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    await mysql?.drop().catch(() => {});
    if (logFile) console.log(`service logs: ${logFile}`);
  };
  try {
    for (const id of options.ids) await launcher.start(id);
    await Promise.all(options.ids.map((id) => launcher.waitReady(id)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    launcher, namespace, natsUrl, dataDir, logFile, stop,
    url: (id, port = "grpc") => `http://127.0.0.1:${port === "grpc" ? ports[id].grpcPort : ports[id].httpPort}`,
  };
}
