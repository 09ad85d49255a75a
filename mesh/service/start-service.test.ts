// startService for services without state (the gateway's kind) and the catalog's hold on what a service serves.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout } from "node:timers/promises";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { forwardTo, routesOf } from "../gateway/forward.js";
import { freePorts } from "../testing/free-port.js";
import { catalogOf, type CatalogEntry, type System } from "./catalog-entry.js";
import { defineService, serve } from "./define-service.js";
import { startService } from "./start-service.js";

const quiet = () => undefined;

// The catalog of `definitions` as one system, on free ports instead of their local-development ones.
async function testCatalog(...definitions: System["contexts"]): Promise<CatalogEntry[]> {
  const ports = await freePorts(definitions.length * 2);
  return catalogOf([{ name: "test", contexts: definitions }]).map((e, i) => ({ ...e, httpPort: ports[2 * i], grpcPort: ports[2 * i + 1] }));
}

const store = defineService({
  id: "store",
  port: 18101,
  serves: [ItemService],
  start: () => ({
    rpc: [serve(ItemService, {
      getItem: (req) => ({ item: { id: req.id, name: "Rose", stock: 3 } }),
      listItems: () => ({ items: [] }),
      addItem: (req) => ({ item: { id: req.id, name: req.name } }),
    })],
  }),
});

test("a service without tables starts without a database or NATS, and is ready", async () => {
  const catalog = await testCatalog(store);
  // A NATS URL nothing answers on: starting must not need it.
  const running = await startService(store, { catalog, env: { HOST: "127.0.0.1", NATS_URL: "nats://127.0.0.1:1", DATA_DIR: "/nonexistent" }, write: quiet });
  try {
    const readyz = await fetch(`http://127.0.0.1:${running.httpPort}/readyz`);
    assert.deepEqual([readyz.status, await readyz.json()], [200, { ready: true, checks: { started: { ok: true } } }]);
    const rest = await fetch(`http://127.0.0.1:${running.httpPort}/meshtest/items/7`);
    assert.equal(((await rest.json()) as { item: { name: string } }).item.name, "Rose");
  } finally {
    await running.stop();
  }
});

test("a stateless service that reaches for a database is told plainly that it has none", async () => {
  const careless = defineService({ ...store, start: ({ db }) => (db("items"), { rpc: [] }) });
  const catalog = await testCatalog(careless);
  await assert.rejects(startService(careless, { catalog, env: { HOST: "127.0.0.1" }, write: quiet }), /service store declares no tables, so it has no database/);
});

test("a service must serve exactly the protobuf services its definition lists", async () => {
  const unlisted = defineService({ ...store, serves: [] });
  const catalog = await testCatalog(unlisted);
  await assert.rejects(startService(unlisted, { catalog, env: { HOST: "127.0.0.1" }, write: quiet }),
    /service store serves \[meshtest.v1.ItemService\] but its catalog entry lists \[\]/);
  await assert.rejects(startService(store, { catalog: await testCatalog({ ...store, id: "other" }), env: {}, write: quiet }), /service store is not in the catalog/);
});

test("a forwarding service built from the catalog's routes answers with the owner's data", async () => {
  const routes = routesOf(await testCatalog(store), "front");
  assert.deepEqual(Object.keys(routes), ["meshtest.v1.ItemService"]);
  const front = defineService({
    id: "front", port: 18102, serves: [ItemService], dependencies: routes,
    start: ({ clients }) => ({ rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name])) }),
  });
  const catalog = await testCatalog(store, front);
  assert.deepEqual(catalog.find((e) => e.id === "front")?.dependsOn, ["store"]);
  const env = { HOST: "127.0.0.1" };
  const owner = await startService(store, { catalog, env, write: quiet });
  const gateway = await startService(front, { catalog, env, write: quiet });
  try {
    const client = createClient(ItemService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${gateway.grpcPort}` }));
    assert.equal((await client.getItem({ id: "9" })).item?.id, "9");
  } finally {
    await gateway.stop();
    await owner.stop();
  }
});

test("a forwarding service waits for a slow owner as long as it was told to, not one client timeout; a caller's own deadline takes its place", async () => {
  const slow = defineService({
    ...store,
    start: () => ({
      rpc: [serve(ItemService, {
        getItem: async (req) => (await setTimeout(600), { item: { id: req.id, name: "Rose", stock: 3 } }),
        listItems: () => ({ items: [] }),
        addItem: (req) => ({ item: { id: req.id, name: req.name } }),
      })],
    }),
  });
  const routes = routesOf(await testCatalog(slow), "front");
  const fronts = [undefined, 5000].map((timeoutMs, i) => defineService({
    id: `front${i}`, port: 18104 + i, serves: [ItemService], dependencies: routes,
    start: ({ clients }) => ({ rpc: Object.entries(routes).map(([name, route]) => forwardTo(route, clients[name], { timeoutMs })) }),
  }));
  const catalog = await testCatalog(slow, ...fronts);
  const env = { HOST: "127.0.0.1", CLIENT_TIMEOUT_MS: "200" };
  const running = [await startService(slow, { catalog, env, write: quiet })];
  try {
    for (const front of fronts) running.push(await startService(front, { catalog, env, write: quiet }));
    const through = (i: number) => createClient(ItemService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${running[i + 1].grpcPort}` }));
    const code = (call: Promise<unknown>) => call.then(() => "OK", (e: unknown) => Code[ConnectError.from(e).code]);
    assert.equal(await code(through(0).getItem({ id: "1" })), "DeadlineExceeded", "told nothing: the client's 200 ms");
    assert.equal((await through(1).getItem({ id: "2" })).item?.id, "2", "told 5 s: waits the 600 ms");
    assert.equal(await code(through(1).getItem({ id: "3" }, { timeoutMs: 300 })), "DeadlineExceeded", "the caller's 300 ms");
  } finally {
    for (const r of running.reverse()) await r.stop();
  }
});

test("routesOf refuses a protobuf service that two catalog entries serve", async () => {
  const catalog = await testCatalog({ ...store, id: "a" }, { ...store, id: "b", port: 18103 });
  assert.throws(() => routesOf(catalog, "gateway"), /meshtest.v1.ItemService is served by both a and b/);
});

test("catalogOf derives the entries from the definitions: system, ports (gRPC 1000 above), dependencies; ids and ports are unique", () => {
  const [entry] = catalogOf([{ name: "sample", contexts: [store] }]);
  assert.deepEqual({ ...entry, definition: entry.definition === store }, {
    id: "store", system: "sample", httpPort: 18101, grpcPort: 19101, serves: [ItemService], dependsOn: [], definition: true,
  });
  assert.throws(() => catalogOf([{ name: "a", contexts: [store] }, { name: "b", contexts: [store] }]), /the catalog lists store and store with the same id/);
  assert.throws(() => catalogOf([{ name: "a", contexts: [store, { ...store, id: "twin" }] }]), /the catalog lists store and twin with the same port 18101/);
});
