import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import type { EnvReader } from "../config/env.js";
import type { Migration } from "../db/migration.js";
import type { Policy } from "../events/policy.js";
import type { Transact } from "../events/transaction.js";
import type { Logger } from "../log/logger.js";
import type { Client } from "../rpc/client.js";

/** One protobuf service and its handlers, as a service serves it. */
export interface Served {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

/** Pairs a protobuf service with its handlers, keeping the handlers type-checked against it. */
export function serve<S extends DescService>(service: S, impl: ServiceImpl<S>): Served {
  return { service, impl: impl as Partial<ServiceImpl<DescService>> };
}

/** Work a service runs beside its RPCs and policies (a sender loop, say), stopped at shutdown. */
export interface Background {
  stop(): Promise<void>;
}

/** A service called synchronously: its catalog id and its protobuf service. */
export interface Dependency<S extends DescService = DescService> {
  id: string;
  service: S;
}

/** Names a dependency by catalog id, keeping its client typed. */
export function dependency<S extends DescService>(id: string, service: S): Dependency<S> {
  return { id, service };
}

type Dependencies = Record<string, Dependency>;

/** What the runtime hands a service when it starts: its adapters to the outside world. */
export interface ServicePorts<C, D extends Dependencies> {
  db: Knex;
  transact: Transact;
  clients: { [K in keyof D]: Client<D[K]["service"]> };
  config: C;
  logger: Logger;
}

/** What a service is made of once started. */
export interface ServiceParts {
  rpc: Served[];
  /** An OpenAPI document to serve at /openapi.json on the HTTP port (the gateway's). */
  openApi?: object;
  policies?: Policy[];
  background?: Background[];
}

/**
 * A service: its identity, schema, configuration, dependencies and wiring. The runtime does
 * everything else (serving, events, database, health, metrics, shutdown).
 */
export interface ServiceDefinition<C = unknown, D extends Dependencies = Dependencies> {
  /** Matches the catalog entry's id. */
  id: string;
  migrations: readonly Migration[];
  /** The systems whose event streams it publishes to or consumes from. */
  streams: readonly string[];
  /** The services it calls synchronously, by local name. */
  dependencies?: D;
  /** The service's own settings, read in the one place the runtime reads configuration. */
  config?: (env: EnvReader) => C;
  start(ports: ServicePorts<C, D>): ServiceParts | Promise<ServiceParts>;
}

/** Declares a service; an identity function that keeps the definition's types together. */
export function defineService<C, D extends Dependencies = Record<string, never>>(
  definition: ServiceDefinition<C, D>,
): ServiceDefinition<C, D> {
  return definition;
}
