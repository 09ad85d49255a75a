import type { DescService } from "@bufbuild/protobuf";
import type { Dependency, ServiceDefinition } from "./define-service.js";

/**
 * One deployable service in the catalog (services/catalog.ts): the single list that the
 * launcher, the gateway, the shared services, the tests and the chart read, derived from the
 * services' own definitions so that nothing is written twice.
 */
export interface CatalogEntry {
  /** `<system>-<context>`, or the shared service's name ("payment"). */
  id: string;
  system: string;
  /** Local development ports; in a cluster every service uses the same pair. */
  httpPort: number;
  grpcPort: number;
  /** The protobuf services it serves: what the gateway routes to it, checked when it starts. */
  serves: readonly DescService[];
  /** Ids of the services it calls synchronously. */
  dependsOn: readonly string[];
  definition: ServiceDefinition<unknown, Record<string, Dependency>>;
}

/** A system: its name and its bounded contexts, each a service. */
export interface System {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  contexts: readonly ServiceDefinition<any, any>[];
}

/** The catalog entries of `systems`' services; ids and ports must be unique. */
export function catalogOf(systems: readonly System[]): CatalogEntry[] {
  const entries = systems.flatMap((system) => system.contexts.map((d): CatalogEntry => ({
    id: d.id,
    system: system.name,
    httpPort: d.port,
    grpcPort: d.port + 1000,
    serves: d.serves,
    dependsOn: [...new Set(Object.values(d.dependencies ?? {}).map((dep) => (dep as Dependency).id))],
    definition: d,
  })));
  for (const [i, e] of entries.entries()) {
    const clash = entries.slice(0, i).find((o) => o.id === e.id || o.httpPort === e.httpPort);
    if (clash) throw new Error(`the catalog lists ${clash.id} and ${e.id} with the same ${clash.id === e.id ? "id" : `port ${e.httpPort}`}`);
  }
  return entries;
}

/** The environment variable holding a dependency's gRPC address, e.g. FLOWER_STORE_ADDR. */
export function addressVariable(id: string): string {
  return `${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_ADDR`;
}
