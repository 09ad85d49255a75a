import { ConfigError, startFailure } from "../config/env.js";
import type { CatalogEntry } from "../service/catalog-entry.js";
import { startService } from "../service/start-service.js";

/**
 * A service's whole main: start the catalog's service `id`, stop it gracefully on SIGTERM or
 * SIGINT, and exit non-zero with a readable message when it cannot start.
 */
export async function runService(id: string, catalog: readonly CatalogEntry[]): Promise<void> {
  const entry = catalog.find((e) => e.id === id);
  if (!entry) {
    process.stderr.write(`${id ? `unknown service "${id}"` : "no service given"}; usage: run <service id>, one of: ${catalog.map((e) => e.id).join(", ")}\n`);
    process.exit(2);
  }
  const definition = entry.definition;
  let service;
  try {
    service = await startService(definition, { catalog });
  } catch (error) {
    process.stderr.write(`${definition.id}: cannot start: ${startFailure(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  const running = service;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches a process more than once (npm and tsx relay it): stop once.
    if (stopping) return running.logger.info("signal received while stopping; still draining", { signal });
    stopping = true;
    running.logger.info("signal received", { signal });
    running.stop().then(() => process.exit(0), (error) => {
      running.logger.error("shutdown failed", { error });
      process.exit(1);
    });
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
