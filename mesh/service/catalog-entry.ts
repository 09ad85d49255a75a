import type { DescService } from "@bufbuild/protobuf";

/**
 * One deployable service in the catalog (services/catalog.ts): the single list that the
 * launcher, the tests and the chart read, so that adding a system changes no runtime code.
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
  /** The service's entry point, relative to the repository root. */
  main: string;
}

/** The environment variable holding a dependency's gRPC address, e.g. FLOWER_STORE_ADDR. */
export function addressVariable(id: string): string {
  return `${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_ADDR`;
}
