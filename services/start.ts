// `npm start`: every service of the catalog (or of the systems named as arguments) in this one
// process, or each as its own process with `npm start -- --processes`; NATS with JetStream found or
// started, one combined log; commands typed here stop and start one on purpose; Ctrl-C stops everything.
// The machinery is mesh/launcher/start-mesh.ts; what is particular to these systems is below.
import { fileURLToPath } from "node:url";
import { startMesh } from "../mesh/launcher/index.js";
import { catalog, systems } from "./catalog.js";

await startMesh({
  catalog,
  systems: systems.map((s) => s.name),
  argv: process.argv.slice(2),
  root: fileURLToPath(new URL("..", import.meta.url)),
  entry: "services/run.ts",
  hint(started) {
    const gateway = started.find((e) => e.id === "gateway");
    if (!gateway || !started.some((e) => e.id === "flower-order")) return "";
    return `
  try, through the gateway:
    curl -s -H 'content-type: application/json' -d '{"flowerId":"1","qty":2,"address":"Seoul","phoneNumber":"010-1234-5678"}' \\
      http://127.0.0.1:${gateway.httpPort}/flower/orders
    curl -s 'http://127.0.0.1:${gateway.httpPort}/flower/orderHistories?phoneNumber=010-1234-5678'
    OpenAPI: http://127.0.0.1:${gateway.httpPort}/openapi.json`;
  },
});
