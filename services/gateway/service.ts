import { readFileSync } from "node:fs";
import { defineService, forwardTo, routesOf } from "../../mesh/index.js";
import { catalog } from "../catalog.js";

const routes = routesOf(catalog, "gateway");
// Written by `npm run generate` from the contract (comments included), served as it is.
const openApiFile = new URL("../../docs/openapi.json", import.meta.url);

/**
 * The seeds' port-8088 gateway: one entry point for REST, Connect, gRPC-Web and gRPC, routing
 * each call by its protobuf service to the owning service over the mesh client.
 */
export const gateway = defineService({
  id: "gateway",
  migrations: [],
  streams: [],
  dependencies: routes,
  start: ({ clients }) => ({
    rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name])),
    openApi: JSON.parse(readFileSync(openApiFile, "utf8")) as object,
  }),
});
