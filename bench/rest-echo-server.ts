// The runtime's REST path alone: bench/constant-store.ts's StoreService.GetFlower served by
// startService as any service is (handler chain, both ports, REST from google.api.http), with
// no database and no NATS. Prints {"port":N} (its HTTP port) once ready; SIGTERM stops it.
import { catalogOf, defineService, type Served } from "../mesh/index.js";
import { startService } from "../mesh/testing/index.js";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { constantStore } from "./constant-store.js";

const definition = defineService({
  id: "rest-echo",
  port: 0,
  serves: [StoreService],
  start: () => ({ rpc: [{ service: StoreService, impl: constantStore as Served["impl"] }] }),
});

const catalog = catalogOf([{ name: "bench", contexts: [definition] }]);
const running = await startService(definition, { catalog, env: { HOST: "127.0.0.1", LOG_LEVEL: "warn", HTTP_PORT: "0", GRPC_PORT: "0" } });
process.stdout.write(JSON.stringify({ port: running.httpPort }) + "\n");
process.once("SIGTERM", () => running.stop().then(() => process.exit(0)));
