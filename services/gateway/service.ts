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
    start: ({ clients }) => ({
      rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name])),
      openApi: JSON.parse(readFileSync(openApiFile, "utf8")) as object,
    }),
  });
}
