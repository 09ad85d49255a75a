// The runtime's REST path alone: bench/constant-store.ts's StoreService.GetFlower served by
// startService as any service is (handler chain, both ports, REST from google.api.http), with
// no database and no NATS. Prints {"port":N} (its HTTP port) once ready; SIGTERM stops it.
import { defineService, startService, type CatalogEntry, type Served } from "../mesh/index.js";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { constantStore } from "./constant-store.js";

const entry: CatalogEntry = { id: "rest-echo", system: "bench", httpPort: 0, grpcPort: 0, serves: [StoreService], dependsOn: [], main: "bench/rest-echo-server.ts" };
const definition = defineService({
  id: entry.id,
  migrations: [],
  streams: [],
  start: () => ({ rpc: [{ service: StoreService, impl: constantStore as Served["impl"] }] }),
});

const running = await startService(definition, { catalog: [entry], env: { HOST: "127.0.0.1", LOG_LEVEL: "warn" } });
process.stdout.write(JSON.stringify({ port: running.httpPort }) + "\n");
process.once("SIGTERM", () => running.stop().then(() => process.exit(0)));
