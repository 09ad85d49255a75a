import { databaseVariable, serviceDatabaseUrl } from "../db/service-database.js";
import { addressVariable, type CatalogEntry } from "../service/catalog-entry.js";
import type { EnvReader } from "./env.js";
import type { LogLevel } from "../log/logger.js";
import { clientProtocols, type ClientProtocol } from "../rpc/transport.js";

/** Everything the runtime reads from the environment for one service. */
export interface RuntimeConfig {
  host: string;
  httpPort: number;
  grpcPort: number;
  logLevel: LogLevel;
  natsUrl: string;
  /** Prefix that isolates this deployment's subjects and streams ("" in production). */
  eventNamespace: string;
  /**
   * This service's own database: `<SERVICE>_DATABASE_URL` as it is, else the one derived from the
   * shared DATABASE_URL (`mysql://…/shop` → database `shop_<service>`); empty: an SQLite file under dataDir.
   */
  databaseUrl: string;
  dataDir: string;
  /** Fault injection for demonstrations and tests: false keeps committed events in the outbox. */
  outboxRelayEnabled: boolean;
  /** How long streams keep events (and inboxes their rows); 0 keeps them for ever. */
  eventRetentionMs: number;
  consumerMaxDeliver: number;
  /** How long a delivery may stay unacknowledged before JetStream hands it to another replica (a crashed process's). */
  consumerAckWaitMs: number;
  /** How long readiness is false before listeners close, so load balancers stop sending. */
  shutdownDelayMs: number;
  /** The longest in-flight calls and events get to finish at shutdown. */
  shutdownTimeoutMs: number;
  client: { timeoutMs: number; retries: number; breakerThreshold: number; halfOpenAfterMs: number; maxConcurrent: number };
  /** How this service calls its dependencies: Connect over HTTP/1.1 to their HTTP port, or gRPC to their gRPC port. */
  clientProtocol: ClientProtocol;
  /** Origins whose pages may call the HTTP port (CORS): ["*"] for any. */
  corsAllowedOrigins: string[];
  /** Address of each dependency's port for `clientProtocol`, by catalog id. */
  addresses: Record<string, string>;
}

/** The environment variables the runtime reads, by name; the chart and the launcher set them. */
export const runtimeVariables = [
  "HOST", "HTTP_PORT", "GRPC_PORT", "LOG_LEVEL", "NATS_URL", "EVENT_NAMESPACE", "DATABASE_URL", "DATA_DIR",
  "OUTBOX_RELAY_ENABLED", "EVENT_RETENTION_HOURS", "CONSUMER_MAX_DELIVER", "CONSUMER_ACK_WAIT_MS", "SHUTDOWN_DELAY_MS", "SHUTDOWN_TIMEOUT_MS",
  "CLIENT_PROTOCOL", "CLIENT_TIMEOUT_MS", "CLIENT_RETRIES", "BREAKER_THRESHOLD", "BREAKER_HALF_OPEN_MS", "CLIENT_MAX_CONCURRENT",
  "CORS_ALLOWED_ORIGINS", "DATABASE_PASSWORD",
] as const;

/** Reads the runtime's settings for `entry`; defaults are the local-development ones from the catalog. */
export function readRuntimeConfig(env: EnvReader, entry: CatalogEntry, catalog: readonly CatalogEntry[]): RuntimeConfig {
  const clientProtocol = env.oneOf("CLIENT_PROTOCOL", clientProtocols, "connect");
  const addresses: Record<string, string> = {};
  for (const id of entry.dependsOn) {
    const dep = catalog.find((e) => e.id === id);
    const port = dep && (clientProtocol === "grpc" ? dep.grpcPort : dep.httpPort);
    addresses[id] = env.address(addressVariable(id), dep ? `127.0.0.1:${port}` : undefined);
  }
  return {
    host: env.string("HOST", "0.0.0.0"),
    httpPort: env.port("HTTP_PORT", entry.httpPort),
    grpcPort: env.port("GRPC_PORT", entry.grpcPort),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    natsUrl: env.url("NATS_URL", ["nats", "tls", "ws", "wss"], "nats://127.0.0.1:4222"),
    // Subject tokens and stream names allow no dots, spaces or wildcards.
    eventNamespace: env.matching("EVENT_NAMESPACE", /^[A-Za-z0-9_-]+$/, "may hold only letters, digits, _ and -", ""),
    databaseUrl: databaseUrlOf(env, entry.id),
    dataDir: env.string("DATA_DIR", "data"),
    outboxRelayEnabled: env.bool("OUTBOX_RELAY_ENABLED", true),
    eventRetentionMs: env.int("EVENT_RETENTION_HOURS", 24 * 7, { min: 0, max: 24 * 3650 }) * 3600_000,
    consumerMaxDeliver: env.int("CONSUMER_MAX_DELIVER", 8, { min: 1, max: 100 }),
    consumerAckWaitMs: env.int("CONSUMER_ACK_WAIT_MS", 30_000, { min: 1000, max: 3_600_000 }),
    shutdownDelayMs: env.int("SHUTDOWN_DELAY_MS", 0, { min: 0, max: 120_000 }),
    shutdownTimeoutMs: env.int("SHUTDOWN_TIMEOUT_MS", 20_000, { min: 0, max: 600_000 }),
    client: {
      timeoutMs: env.int("CLIENT_TIMEOUT_MS", 2000, { min: 1, max: 120_000 }),
      retries: env.int("CLIENT_RETRIES", 2, { min: 0, max: 10 }),
      breakerThreshold: env.int("BREAKER_THRESHOLD", 5, { min: 1, max: 1000 }),
      halfOpenAfterMs: env.int("BREAKER_HALF_OPEN_MS", 5000, { min: 10, max: 600_000 }),
      maxConcurrent: env.int("CLIENT_MAX_CONCURRENT", 128, { min: 1, max: 10_000 }),
    },
    clientProtocol,
    corsAllowedOrigins: env
      .matching("CORS_ALLOWED_ORIGINS", /^\s*(\*|https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)\s*$/,
        'must be "*" or a comma-separated list of origins such as https://shop.example.com', "*")
      .split(",").map((origin) => origin.trim()),
    addresses,
  };
}

// Every service may be given the same DATABASE_URL: each uses its own database derived from it
// (mesh/db/service-database.ts), unless its own <SERVICE>_DATABASE_URL names one exactly.
function databaseUrlOf(env: EnvReader, id: string): string {
  const shared = env.string("DATABASE_URL", "");
  const own = env.string(databaseVariable(id), "");
  const password = env.string("DATABASE_PASSWORD", "");
  if (own) return withPassword(own, password);
  return shared ? serviceDatabaseUrl(withPassword(shared, password), id) : "";
}

// DATABASE_PASSWORD (from a Secret) fills the password of a mysql:// DATABASE_URL (from a
// ConfigMap), so that the URL itself holds no secret.
function withPassword(url: string, password: string): string {
  if (!password || !url.startsWith("mysql:")) return url;
  try {
    const u = new URL(url);
    u.password = encodeURIComponent(password);
    return u.toString();
  } catch {
    return url; // the database parser names DATABASE_URL and what is wrong with it
  }
}
