// Mesh client: the calling side as a runtime service does it. "bench-caller" declares
// `dependencies: { store: dependency("bench-store", StoreService) }` and startService hands it
// `clients.store` behind the dependency's resilience policy (bulkhead, breaker, retry, timeout).
// The dependency's address is whatever the runtime derives from the catalog entry, which holds
// the server's real gRPC and HTTP ports; no address variable is set, so a change in how the
// runtime reaches a dependency is measured as it is.
import { catalogOf, defineService, dependency, type Client } from "../../mesh/index.js";
import { startService } from "../../mesh/testing/index.js";
import { StoreService, type GetFlowerResponse } from "../../gen/flower/v1/store_pb.js";
import { isRose } from "./answer.js";
import { runPeerClient } from "./client.js";
import { storeDefinition } from "./mesh-store.js";

let store: Client<typeof StoreService> | undefined;
const caller = defineService({
  id: "bench-caller",
  port: 0,
  serves: [],
  dependencies: { store: dependency("bench-store", StoreService) },
  start: ({ clients }) => {
    store = clients.store;
    return { rpc: [] };
  },
});

// The fallback rethrows: a failed call counts as an error instead of being hidden.
const options = { fallback: (error: Error): never => { throw error; } };

await runPeerClient<GetFlowerResponse>(async (server) => {
  if (!server.grpcPort || !server.httpPort) throw new Error(`the mesh server announced no ports: ${JSON.stringify(server)}`);
  const [callerEntry] = catalogOf([{ name: "bench", contexts: [caller] }]);
  const [storeEntry] = catalogOf([{ name: "bench", contexts: [storeDefinition] }]);
  const catalog = [callerEntry, { ...storeEntry, grpcPort: server.grpcPort, httpPort: server.httpPort }];
  // Only this service's own settings (its ports, quiet logs); CLIENT_PROTOCOL passes through to compare protocols by hand.
  const env = { HOST: "127.0.0.1", LOG_LEVEL: "warn", HTTP_PORT: "0", GRPC_PORT: "0", CLIENT_PROTOCOL: process.env.CLIENT_PROTOCOL };
  const running = await startService(caller, { catalog, env });
  const client = store!;
  // Which of the server's ports the runtime chose: recorded, so a figure says which protocol it measured.
  const address = running.config.addresses["bench-store"];
  const port = address.endsWith(`:${server.httpPort}`) ? "HTTP port" : address.endsWith(`:${server.grpcPort}`) ? "gRPC port" : "unknown port";
  const config = running.config;
  const protocol = "clientProtocol" in config ? String(config.clientProtocol) : "grpc"; // before CLIENT_PROTOCOL existed: grpc
  return {
    note: `${protocol} to its ${port}`,
    call: () => client.getFlower({ id: "1" }, options),
    check: (answer) => isRose(answer.flower),
    close: () => running.stop(),
  };
});
