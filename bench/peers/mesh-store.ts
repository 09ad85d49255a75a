// The mesh scenario's server as a service definition: bench/constant-store.ts's GetFlower,
// counted. Both sides need it: the server runs it, the client's catalog lists it.
import type { ServiceImpl } from "@connectrpc/connect";
import { defineService, type Served } from "../../mesh/index.js";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { constantStore } from "../constant-store.js";
import { served } from "./serve.js";

const getFlower = constantStore.getFlower!;
const counted: Partial<ServiceImpl<typeof StoreService>> = {
  getFlower: (req, ctx) => {
    served.count++;
    return getFlower(req, ctx);
  },
};

export const storeDefinition = defineService({
  id: "bench-store",
  port: 0, // the real ports come from HTTP_PORT/GRPC_PORT=0 and are announced
  serves: [StoreService],
  start: () => ({ rpc: [{ service: StoreService, impl: counted as Served["impl"] }] }),
});
