import { readFileSync } from "node:fs";
import { defineService, forwardTo, routesOf, type CatalogEntry } from "../../mesh/index.js";

// Written by `npm run generate` from the contract (comments included), served as it is.
const openApiFile = new URL("../../docs/openapi.json", import.meta.url);

/**
 * The seeds' port-8088 gateway: one entry point for REST, Connect, gRPC-Web and gRPC, routing
 * each call by its protobuf service to the catalog entry that serves it, over the mesh client.
 */
export function createGateway(catalog: readonly CatalogEntry[]) {
  const routes = routesOf(catalog, "gateway");
  return defineService({
    id: "gateway",
    port: 8088,
    serves: Object.values(routes).map((r) => r.service),
    dependencies: routes,
    // Below the chart's 10 s route timeout between services, so the caller hears the gateway's own answer.
    config: (env) => ({ timeoutMs: env.int("GATEWAY_TIMEOUT_MS", 8000, { min: 1, max: 120_000 }) }),
    start: ({ clients, config }) => ({
      rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name], config)),
      openApi: JSON.parse(readFileSync(openApiFile, "utf8")) as object,
    }),
  });
}
