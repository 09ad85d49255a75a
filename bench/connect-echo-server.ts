// The REST baseline: a bare @connectrpc/connect-node server (connectNodeAdapter on
// http.createServer, nothing else) serving bench/constant-store.ts's StoreService.GetFlower.
// Prints {"port":N} once bound; SIGTERM stops it.
import * as http from "node:http";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { StoreService } from "../gen/flower/v1/store_pb.js";
import { constantStore } from "./constant-store.js";

const server = http.createServer(connectNodeAdapter({ routes: (router) => router.service(StoreService, constantStore) }));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + "\n");
});
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
