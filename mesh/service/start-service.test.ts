// startService for services without state (the gateway's kind) and the catalog's hold on what a service serves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { forwardTo, routesOf } from "../gateway/forward.js";
import { freePorts } from "../testing/free-port.js";
import type { CatalogEntry } from "./catalog-entry.js";
import { defineService, serve } from "./define-service.js";
import { startService } from "./start-service.js";

const quiet = () => undefined;

async function catalogOf(...entries: Array<Pick<CatalogEntry, "id" | "serves" | "dependsOn">>): Promise<CatalogEntry[]> {
  const ports = await freePorts(entries.length * 2);
  return entries.map((e, i) => ({ ...e, system: "test", httpPort: ports[2 * i], grpcPort: ports[2 * i + 1], main: "none" }));
}

const store = defineService({
  id: "store",
  migrations: [],
  streams: [],
  start: () => ({ rpc: [serve(StoreService, { getFlower: (req: { id: string }) => ({ flower: { id: req.id, name: "Rose", stock: 3 } }) } as never)] }),
});

test("a service with no migrations and no streams starts without a database or NATS, and is ready", async () => {
  const catalog = await catalogOf({ id: "store", serves: [StoreService], dependsOn: [] });
  // A NATS URL nothing answers on: starting must not need it.
  const running = await startService(store, { catalog, env: { HOST: "127.0.0.1", NATS_URL: "nats://127.0.0.1:1", DATA_DIR: "/nonexistent" }, write: quiet });
  try {
    const readyz = await fetch(`http://127.0.0.1:${running.httpPort}/readyz`);
    assert.deepEqual([readyz.status, await readyz.json()], [200, { ready: true, checks: { started: { ok: true } } }]);
    const rest = await fetch(`http://127.0.0.1:${running.httpPort}/flower/stores/7`);
    assert.equal(((await rest.json()) as { flower: { name: string } }).flower.name, "Rose");
  } finally {
    await running.stop();
  }
});

test("a stateless service that reaches for a database is told plainly that it has none", async () => {
  const catalog = await catalogOf({ id: "store", serves: [StoreService], dependsOn: [] });
  const careless = defineService({ ...store, start: ({ db }) => (db("flowers"), { rpc: [] }) });
  await assert.rejects(startService(careless, { catalog, env: { HOST: "127.0.0.1" }, write: quiet }), /service store declares no migrations and no streams, so it has no database/);
});

test("a service must serve exactly what its catalog entry lists", async () => {
  const catalog = await catalogOf({ id: "store", serves: [], dependsOn: [] });
  await assert.rejects(startService(store, { catalog, env: { HOST: "127.0.0.1" }, write: quiet }),
    /service store serves \[flower.v1.StoreService\] but its catalog entry lists \[\]/);
});

test("a forwarding service built from the catalog's routes answers with the owner's data", async () => {
  const catalog = await catalogOf({ id: "store", serves: [StoreService], dependsOn: [] }, { id: "front", serves: [StoreService], dependsOn: ["store"] });
  const routes = routesOf(catalog, "front");
  assert.deepEqual(Object.keys(routes), ["flower.v1.StoreService"]);
  const front = defineService({
    id: "front", migrations: [], streams: [], dependencies: routes,
    start: ({ clients }) => ({ rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name])) }),
  });
  const env = { HOST: "127.0.0.1" };
  const owner = await startService(store, { catalog, env, write: quiet });
  const gateway = await startService(front, { catalog, env, write: quiet });
  try {
    const client = createClient(StoreService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${gateway.grpcPort}` }));
    assert.equal((await client.getFlower({ id: "9" })).flower?.id, "9");
  } finally {
    await gateway.stop();
    await owner.stop();
  }
});

test("routesOf refuses a protobuf service that two catalog entries serve", async () => {
  const catalog = await catalogOf({ id: "a", serves: [StoreService], dependsOn: [] }, { id: "b", serves: [StoreService], dependsOn: [] });
  assert.throws(() => routesOf(catalog, "gateway"), /flower.v1.StoreService is served by both a and b/);
});
