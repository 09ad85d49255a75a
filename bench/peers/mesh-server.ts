// Mesh server: the project's runtime serving StoreService.GetFlower through startService as
// every service is served (handler chain: context, metrics, logs, error mapping; gRPC and HTTP
// ports; no database, no NATS). Announces both ports: the client's catalog gets both.
import { catalogOf } from "../../mesh/index.js";
import { startService } from "../../mesh/testing/index.js";
import { storeDefinition } from "./mesh-store.js";
import { announce } from "./serve.js";

const catalog = catalogOf([{ name: "bench", contexts: [storeDefinition] }]);
const running = await startService(storeDefinition, { catalog, env: { HOST: "127.0.0.1", LOG_LEVEL: "warn", HTTP_PORT: "0", GRPC_PORT: "0" } });
announce({ grpcPort: running.grpcPort, httpPort: running.httpPort }, () => running.stop());
