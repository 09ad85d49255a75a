import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import type { EnvReader } from "../config/env.js";
import type { Migration } from "../db/migration.js";
import type { Table } from "../db/table.js";
import type { Policy } from "../events/policy.js";
import type { Transact } from "../events/transaction.js";
import type { Logger } from "../log/logger.js";
import type { Client } from "../rpc/client.js";
import type { Repository } from "./repository.js";

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
/** What a definition needs of a table: the migrations that make it. */
type DeclaredTable = Pick<Table<unknown>, "name" | "migrations">;

/** What the runtime hands a service when it starts: its adapters to the outside world. */
export interface ServicePorts<C, D extends Dependencies> {
  db: Knex;
  transact: Transact;
  /** A declared table with the command path over it (load locked, decide, save with its events). */
  repository<T, E extends { type: string }>(table: Table<T, E>): Repository<T, E>;
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
 * A deployable service (a bounded context, or a shared one): who it is, what it serves, keeps
 * and calls, and how its parts are wired. The runtime does the rest (serving, events, database,
 * health, metrics, shutdown); the catalog is made of these.
 */
export interface ServiceDefinition<C = unknown, D extends Dependencies = Dependencies> {
  /** `<system>-<context>` ("flower-order"), or the shared service's name ("payment"). */
  id: string;
  /** Its HTTP port in local development; gRPC listens 1000 above. In a cluster every service uses one pair. */
  port: number;
  /** The protobuf services it serves: what the gateway routes to it (held to it at start). */
  serves: readonly DescService[];
  /** The services it calls synchronously, by local name. */
  dependencies?: D;
  /** Its tables: the runtime creates them (and what `.since` adds) at start. */
  tables?: readonly DeclaredTable[];
  /** Schema or data changes beyond what the tables declare, applied in name order after them. */
  migrations?: readonly Migration[];
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

/** The schema a service's database needs: its tables' migrations, then its own. */
export function migrationsOf(definition: Pick<ServiceDefinition, "tables" | "migrations">): Migration[] {
  return [...(definition.tables ?? []).flatMap((t) => t.migrations), ...(definition.migrations ?? [])];
}
