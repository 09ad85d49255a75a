import type { DescService } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { NatsConnection } from "nats";
import { readEnv } from "../config/env.js";
import { readRuntimeConfig, type RuntimeConfig } from "../config/runtime-config.js";
import { defaultDatabaseUrl, dialectOf, openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { connectNats } from "../events/connect-nats.js";
import { startPolicy } from "../events/consumer.js";
import { createBatcher } from "../events/handle-batch.js";
import { createInboxPruner } from "../events/inbox-pruner.js";
import { createOutboxRelay } from "../events/relay.js";
import { runtimeMigrations } from "../events/runtime-migrations.js";
import { ensureStreams } from "../events/streams.js";
import { createTransact } from "../events/transact.js";
import { createLogger, type Logger } from "../log/logger.js";
import { createReadiness, type Readiness } from "../rpc/readiness.js";
import { createResiliencePolicy, type ResiliencePolicy } from "../rpc/resilience.js";
import { createRpcServer } from "../rpc/rpc-server.js";
import { createMetrics, type MeshMetrics } from "../telemetry/metrics.js";
import type { Policy } from "../events/policy.js";
import { systemOf } from "../events/subjects.js";
import type { Transact } from "../events/transaction.js";
import type { CatalogEntry } from "./catalog-entry.js";
import { migrationsOf, type Dependency, type ServiceDefinition, type ServiceParts } from "./define-service.js";
import { createRepository } from "./repository.js";

/** A running service: where it listens, and how to stop it. */
export interface RunningService {
  id: string;
  grpcPort: number;
  httpPort: number;
  config: RuntimeConfig;
  metrics: MeshMetrics;
  logger: Logger;
  /** Graceful stop: readiness off, in-flight calls and events finish, then everything closes. */
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  catalog: readonly CatalogEntry[];
  /** Environment to read (process.env by default); tests pass their own. */
  env?: Record<string, string | undefined>;
  /** Where log lines go (stdout by default). */
  write?: (line: string) => void;
  /**
   * Whether its /metrics reports the process's own metrics (process_*, nodejs_*; true by default).
   * Where many services share a process (mesh/launcher/host.ts) one of them does.
   */
  processMetrics?: boolean;
}

/**
 * Starts one service in this process: configuration, database and migrations, NATS streams,
 * outbox relay, clients, RPC servers and policies; ready once all are up.
 */
export async function startService<C, D extends Record<string, Dependency>>(
  definition: ServiceDefinition<C, D>,
  options: StartServiceOptions,
): Promise<RunningService> {
  const entry = options.catalog.find((e) => e.id === definition.id);
  if (!entry) throw new Error(`service ${definition.id} is not in the catalog`);
  const env = readEnv(options.env ?? process.env);
  const config = readRuntimeConfig(env, entry, options.catalog);
  const own = definition.config ? definition.config(env) : (undefined as C);
  env.done();

  const logger = createLogger({ service: definition.id, level: config.logLevel, write: options.write });
  const metrics = createMetrics(definition.id, { processMetrics: options.processMetrics });
  // A service without tables (the gateway) needs no database and no NATS.
  const stateful = migrationsOf(definition).length > 0;
  const readiness = createReadiness(stateful ? ["database", "nats", "consumers"] : ["started"]);
  const closers: Array<() => Promise<void>> = []; // run in reverse at stop

  try {
    const storage = stateful ? await startStorage(definition, config, logger, metrics, readiness, closers) : statelessPorts(definition.id);
    const clients = await createClients(definition, config, logger, metrics, closers);
    const { db, transact } = storage;
    const parts = await definition.start({
      db, transact, repository: (table) => createRepository(table, { db, transact }), clients: clients as never, config: own, logger,
    });
    for (const b of parts.background ?? []) closers.push(() => b.stop());
    checkServes(entry, parts);
    // Its own system's stream (it publishes there), and the streams of every event its policies take.
    if (storage.startEvents) await storage.startEvents(streamsOf(entry, parts.policies ?? []));

    const server = createRpcServer({
      services: parts.rpc, logger, metrics, readiness, host: config.host, grpcPort: config.grpcPort, httpPort: config.httpPort,
      corsAllowedOrigins: config.corsAllowedOrigins, openApi: parts.openApi,
    });
    const ports = await server.start();
    closers.push(() => server.stop(config.shutdownTimeoutMs));

    if (!storage.nc) {
      if (parts.policies?.length) throw new Error(`service ${definition.id} has policies but declares no tables (their inbox needs a database)`);
      readiness.mark("started", true);
    } else {
      // Policies stop before the servers close, so no event is half-handled when the database goes.
      const nc = storage.nc;
      // SQLite runs one transaction at a time anyway, so the policies lose nothing by sharing theirs:
      // the events that reach several of them at once commit together (flower-order at 110 orders/s:
      // 3.7–4.6 commits per saga against 5.7–6.6, measured). On MySQL each consumer's transactions
      // run on connections of their own, in parallel.
      const batcher = dialectOf(storage.db) === "sqlite" ? createBatcher({ transact: storage.transact, maxBatch: 32 }) : undefined;
      const policies = await Promise.all((parts.policies ?? []).map((policy) =>
        startPolicy({
          nc, db: storage.db, namespace: config.eventNamespace, service: definition.id, policy, transact: storage.transact, batcher, logger, metrics,
          maxDeliver: config.consumerMaxDeliver, ackWaitMs: config.consumerAckWaitMs,
        })));
      closers.push(() => Promise.all(policies.map((p) => p.stop())).then(() => undefined));
      readiness.mark("consumers", true);
    }
    logger.info("service started", { grpcPort: ports.grpcPort, httpPort: ports.httpPort, policies: parts.policies?.map((p) => p.name) ?? [] });

    let stopping: Promise<void> | undefined;
    return {
      id: definition.id, grpcPort: ports.grpcPort, httpPort: ports.httpPort, config, metrics, logger,
      stop: () => (stopping ??= (async () => {
        logger.info("shutting down", { delayMs: config.shutdownDelayMs });
        readiness.startShutdown();
        if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
        await closeAll(closers, logger);
        logger.info("stopped");
      })()),
    };
  } catch (error) {
    await closeAll(closers, logger);
    throw error;
  }
}

interface StoragePorts {
  db: Knex;
  transact: Transact;
  /** Undefined for a stateless service. */
  nc?: NatsConnection;
  /** Creates the streams, then starts publishing the outbox. */
  startEvents?(streams: string[]): Promise<void>;
}

// The database with its migrations, NATS, the outbox relay (started once the streams exist) and the inbox pruner.
async function startStorage(
  definition: ServiceDefinition<unknown, Record<string, Dependency>>, config: RuntimeConfig, logger: Logger, metrics: MeshMetrics,
  readiness: Readiness, closers: Array<() => Promise<void>>,
): Promise<StoragePorts> {
  const db = await openDatabase({ url: config.databaseUrl || defaultDatabaseUrl(config.dataDir, definition.id), logger });
  closers.push(() => db.destroy());
  await migrate(db, runtimeMigrations, { tableName: "mesh_migrations" });
  await migrate(db, migrationsOf(definition), { tableName: "migrations" });
  readiness.mark("database", true);

  const nc = await connectNats({ url: config.natsUrl, name: definition.id, logger });
  closers.push(() => nc.drain().catch(() => nc.close()));
  const relay = createOutboxRelay({ db, nc, namespace: config.eventNamespace, logger, metrics, enabled: config.outboxRelayEnabled });
  const transact = createTransact({ db, onCommit: () => relay.wake(), metrics });
  const pruner = createInboxPruner({ db, retentionMs: config.eventRetentionMs, logger });
  closers.push(() => pruner.stop());
  return {
    db, transact, nc,
    async startEvents(streams) {
      await ensureStreams(await nc.jetstreamManager(), config.eventNamespace, streams, { retentionMs: config.eventRetentionMs });
      readiness.mark("nats", true);
      relay.start();
      closers.push(() => relay.stop());
    },
  };
}

function streamsOf(entry: CatalogEntry, policies: readonly Policy[]): string[] {
  return [...new Set([entry.system, ...policies.flatMap((p) => p.on.map((t) => systemOf(t.subject)))])];
}

// A stateless service's db and transact: using them is a mistake in its definition, said plainly.
function statelessPorts(id: string): StoragePorts {
  const refuse = (what: string) => () => {
    throw new Error(`service ${id} declares no tables, so it has no ${what}`);
  };
  return { db: new Proxy(() => undefined, { get: refuse("database"), apply: refuse("database") }) as unknown as Knex, transact: refuse("transactions") as Transact };
}

// One resilience policy per dependency service (one bulkhead for all its protobuf services, a breaker per method), one client per dependency.
async function createClients(
  definition: ServiceDefinition<unknown, Record<string, Dependency>>, config: RuntimeConfig, logger: Logger, metrics: MeshMetrics,
  closers: Array<() => Promise<void>>,
): Promise<Record<string, unknown>> {
  const policies = new Map<string, ResiliencePolicy>();
  const clients: Record<string, unknown> = {};
  const dependencies = Object.entries(definition.dependencies ?? {});
  if (dependencies.length === 0) return clients;
  // Loaded only where a service calls others: the client transports (undici's among them) cost a process that calls nobody memory for nothing.
  const { createClient } = await import("../rpc/client.js");
  for (const [name, dep] of dependencies) {
    let policy = policies.get(dep.id);
    if (!policy) policies.set(dep.id, (policy = createResiliencePolicy({ dependency: dep.id, logger, metrics, ...config.client })));
    const client = createClient(dep.service as DescService, {
      dependency: dep.id, address: config.addresses[dep.id], protocol: config.clientProtocol, policy, logger, metrics,
    });
    clients[name] = client;
    closers.push(async () => client.close());
  }
  return clients;
}

// The catalog says what each service serves (the gateway routes by it): hold the service to it.
function checkServes(entry: CatalogEntry, parts: ServiceParts): void {
  const served = parts.rpc.map((s) => s.service.typeName).sort();
  const listed = entry.serves.map((s) => s.typeName).sort();
  if (served.join() !== listed.join()) {
    throw new Error(`service ${entry.id} serves [${served.join(", ")}] but its catalog entry lists [${listed.join(", ")}]`);
  }
}

async function closeAll(closers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      logger.warn("error while closing", { error });
    }
  }
  closers.length = 0;
}
