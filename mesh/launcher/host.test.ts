// The one-process host (npm start's default): several services of a small catalog in this test's
// process, against the real NATS and SQLite files in a temp directory, each on its own ports with
// its own database, consumers and clients; one stopped, the others keep serving.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createClient, type ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ItemSchema, ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { int, money, text } from "../db/columns.js";
import { table } from "../db/table.js";
import { eventsOf } from "../events/domain-events.js";
import { testEvents, testNatsUrl } from "../events/event-fixtures.js";
import { on, policy } from "../events/policy.js";
import { decide } from "../kernel/decision.js";
import type { Money } from "../kernel/money.js";
import { toMessage } from "../proto/domain-form.js";
import { catalogOf } from "../service/catalog-entry.js";
import { defineService, dependency, serve } from "../service/define-service.js";
import { codeOf } from "../testing/rpc-outcomes.js";
import { eventually } from "../testing/eventually.js";
import { freePorts } from "../testing/free-port.js";
import { deleteNamespaceStreams, testNamespace } from "../testing/test-namespace.js";
import { createHost } from "./host.js";

interface Item {
  id: string;
  name: string;
  stock: number;
  price: Money;
}
type ShelfEvent = { type: "OrderPacked"; orderId: string; qty: number };
const krw = (amount: bigint): Money => ({ amount, currency: "KRW" });

// shelf: items added by RPC, each announced as an event. depot: its own copy of every item, fed only by
// shelf's events (its own consumer). front: no tables; serves by calling the other two (its own clients).
const shelfItems = table<Item, ShelfEvent>("items", { id: text(36).key(), name: text(40), stock: int(), price: money() }, {
  resource: "item",
  events: eventsOf<ShelfEvent>()({ OrderPacked: testEvents.orderPacked }),
});
const depotItems = table<Item>("items", { id: text(36).key(), name: text(40), stock: int(), price: money() }, { resource: "item" });
const asMessage = (item: Item) => toMessage(ItemSchema, item);
// What shelf and depot answer alike: their own items.
const reads = (repo: { get(id: string): Promise<Item>; list(): Promise<Item[]> }) => ({
  getItem: async (req: { id: string }) => ({ item: asMessage(await repo.get(req.id)) }),
  listItems: async () => ({ items: (await repo.list()).map(asMessage) }),
});

const shelf = defineService({
  id: "shelf",
  port: 1,
  serves: [ItemService],
  tables: [shelfItems],
  start: ({ repository }) => {
    const repo = repository(shelfItems);
    return {
      rpc: [serve(ItemService, {
        ...reads(repo),
        addItem: async (req) => ({
          item: asMessage(await repo.create(() =>
            decide({ id: req.id, name: req.name, stock: req.stock, price: krw(req.price?.amount ?? 0n) }, { type: "OrderPacked" as const, orderId: req.id, qty: req.stock }))),
        }),
      })],
    };
  },
});

const depot = defineService({
  id: "depot",
  port: 2,
  serves: [ItemService],
  tables: [depotItems],
  start: ({ repository }) => {
    const repo = repository(depotItems);
    return {
      rpc: [serve(ItemService, {
        ...reads(repo),
        addItem: () => ({}),
      })],
      policies: [policy("copyWhenPacked", on(testEvents.orderPacked, async (e, tx) => {
        await repo.apply(tx, e.message.orderId, (current) => (current ? undefined : decide({ id: e.message.orderId, name: "copy", stock: e.message.qty, price: krw(0n) })));
      }))],
    };
  },
});

const front = defineService({
  id: "front",
  port: 3,
  serves: [ItemService],
  dependencies: { shelf: dependency("shelf", ItemService), depot: dependency("depot", ItemService) },
  start: ({ clients }) => {
    const fallback = (error: ConnectError): never => {
      throw error;
    };
    return {
      rpc: [serve(ItemService, {
        getItem: (req) => clients.shelf.getItem(req, { fallback }),
        listItems: (req) => clients.depot.listItems(req, { fallback }),
        addItem: (req) => clients.shelf.addItem(req, { fallback }),
      })],
    };
  },
});

const catalog = catalogOf([{ name: "sample", contexts: [shelf, depot, front] }]);

test("services hosted in one process: each on its own ports with its own database, consumers and clients; one stopped, the others keep serving", async () => {
  const dir = await mkdtemp(join(tmpdir(), "host-"));
  const namespace = testNamespace();
  const free = await freePorts(6);
  const ports = Object.fromEntries(catalog.map((e, i) => [e.id, { httpPort: free[2 * i], grpcPort: free[2 * i + 1] }]));
  const lines: string[] = [];
  const host = createHost({
    catalog, ports, write: (l) => lines.push(l),
    // HTTP_PORT and GRPC_PORT belong to one service each: in the shared environment they are ignored.
    env: { HOST: "127.0.0.1", NATS_URL: testNatsUrl, DATA_DIR: dir, EVENT_NAMESPACE: namespace, HTTP_PORT: String(free[0]), GRPC_PORT: String(free[1]) },
  });
  const client = (id: string) => createClient(ItemService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[id].grpcPort}` }));
  const readyz = (id: string) => fetch(`http://127.0.0.1:${ports[id].httpPort}/readyz`).then((r) => r.status, () => "refused");
  const metricLines = (id: string) => fetch(`http://127.0.0.1:${ports[id].httpPort}/metrics`).then((r) => r.text());
  try {
    await host.startAll(["shelf", "depot", "front"]);
    assert.deepEqual(host.running().sort(), ["depot", "front", "shelf"]);
    assert.deepEqual([await readyz("shelf"), await readyz("depot"), await readyz("front")], [200, 200, 200]);
    for (const id of ["shelf", "depot", "front"]) assert.deepEqual(host.portsOf(id), ports[id]);

    // front's client calls shelf; shelf's event reaches depot's consumer; each wrote its own SQLite file.
    await client("front").addItem({ id: "rose", name: "Rose", stock: 3, price: krw(1500n) });
    assert.equal((await client("front").getItem({ id: "rose" })).item?.name, "Rose");
    await eventually("depot's copy, from shelf's event", async () => (await client("depot").listItems({})).items.some((i) => i.id === "rose" && i.stock === 3));
    assert.deepEqual([existsSync(join(dir, "shelf.sqlite")), existsSync(join(dir, "depot.sqlite")), existsSync(join(dir, "front.sqlite"))], [true, true, false]);

    // Each its own registry; the process's own metrics from one of them only.
    const nodeMetrics = await Promise.all(["shelf", "depot", "front"].map(async (id) => /^nodejs_heap_size_used_bytes/m.test(await metricLines(id))));
    assert.equal(nodeMetrics.filter(Boolean).length, 1, `process metrics from exactly one service: ${nodeMetrics}`);
    assert.match(await metricLines("front"), /mesh_rpc_requests_total\{[^}]*service="front"/);

    // shelf stopped on purpose: gone from its ports; depot and front serve on, front's calls to shelf fail fast.
    await host.stop("shelf");
    assert.equal(host.stateOf("shelf"), "stopped");
    assert.deepEqual(host.running().sort(), ["depot", "front"]);
    assert.equal(await readyz("shelf"), "refused");
    assert.deepEqual([await readyz("depot"), await readyz("front")], [200, 200]);
    assert.deepEqual((await client("front").listItems({})).items.map((i) => i.id), ["rose"]);
    assert.equal(await codeOf(client("front").getItem({ id: "rose" })), "Unavailable");

    // Started again: same ports, same database.
    await host.start("shelf");
    assert.equal(host.stateOf("shelf"), "running");
    assert.equal(await readyz("shelf"), 200);
    await eventually("front to reach shelf again", async () => (await client("front").getItem({ id: "rose" })).item?.stock === 3);

    // One log, each line under its service's name.
    for (const id of ["shelf", "depot", "front"]) assert.ok(lines.some((l) => new RegExp(`^\\S+ ${id} +info  service started`).test(l)), lines.join("\n"));
  } finally {
    await host.stopAll();
    assert.deepEqual(host.running(), []);
    await deleteNamespaceStreams(testNatsUrl, namespace).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

test("a service that cannot start is reported with why, and the others are not held back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "host-"));
  const namespace = testNamespace();
  const free = await freePorts(4);
  const lines: string[] = [];
  const host = createHost({
    catalog, write: (l) => lines.push(l),
    ports: { shelf: { httpPort: free[0], grpcPort: free[1] }, depot: { httpPort: free[2], grpcPort: free[3] } },
    env: { HOST: "127.0.0.1", NATS_URL: testNatsUrl, DATA_DIR: dir, EVENT_NAMESPACE: namespace },
    serviceEnv: { depot: { LOG_LEVEL: "loud" } },
  });
  try {
    await assert.rejects(host.startAll(["shelf", "depot"]), /depot cannot start: invalid configuration:\n\s+LOG_LEVEL/);
    assert.equal(host.stateOf("depot"), "failed");
    assert.equal(host.stateOf("shelf"), "running");
    assert.ok(lines.some((l) => /depot +error cannot start/.test(l)), lines.join("\n"));
  } finally {
    await host.stopAll();
    await deleteNamespaceStreams(testNatsUrl, namespace).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
