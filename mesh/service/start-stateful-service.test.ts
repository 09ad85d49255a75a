// startService for a service with tables, through the in-process harness services' tests use:
// its tables migrated at start, a repository per table in its ports, the streams of its own
// system and of the events its policies take, and its events relayed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { connect } from "nats";
import { ItemSchema, ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { int, money, text } from "../db/columns.js";
import { table } from "../db/table.js";
import { eventsOf } from "../events/domain-events.js";
import { testEvents, testNatsUrl } from "../events/event-fixtures.js";
import { on, policy } from "../events/policy.js";
import { streamName } from "../events/subjects.js";
import { decide, refuse, type Outcome } from "../kernel/decision.js";
import type { Money } from "../kernel/money.js";
import { toMessage } from "../proto/domain-form.js";
import { eventsHandled } from "../testing/events-handled.js";
import { eventually } from "../testing/eventually.js";
import { startInProcess } from "../testing/in-process.js";
import { testDialects } from "../testing/test-database.js";
import { catalogOf } from "./catalog-entry.js";
import { defineService, serve } from "./define-service.js";

interface Item {
  id: string;
  name: string;
  stock: number;
  price: Money;
}

type ItemEvent = { type: "OrderPacked"; orderId: string; qty: number };

function packOne(item: Item, orderId: string): Outcome<Item, ItemEvent> {
  if (item.stock < 1) return refuse("OUT_OF_STOCK", `no ${item.name} left`);
  return decide({ ...item, stock: item.stock - 1 }, { type: "OrderPacked" as const, orderId, qty: 1 });
}

const items = table<Item, ItemEvent>("items", { id: text(36).key(), name: text(40), stock: int(), price: money() }, {
  resource: "item",
  events: eventsOf<ItemEvent>()({ OrderPacked: testEvents.orderPacked }),
});

// The sample system's shelf: items added by RPC; one packed for each charge another system approves.
const shelf = defineService({
  id: "sample-shelf",
  port: 18111,
  serves: [ItemService],
  tables: [items],
  start: ({ repository }) => {
    const repo = repository(items);
    const asMessage = (item: Item) => toMessage(ItemSchema, item);
    return {
      rpc: [serve(ItemService, {
        getItem: async (req) => ({ item: asMessage(await repo.get(req.id)) }),
        listItems: async () => ({ items: (await repo.list()).map(asMessage) }),
        addItem: async (req) => ({
          item: asMessage(await repo.create(() => decide({ id: req.id, name: req.name, stock: req.stock, price: { amount: req.price?.amount ?? 0n, currency: req.price?.currency ?? "KRW" } }))),
        }),
      })],
      policies: [policy("packWhenCharged", on(testEvents.chargeApproved, async (e, tx) => {
        await repo.apply(tx, "rose", (item) => item && packOne(item, e.message.orderId));
      }))],
    };
  },
});

const catalog = catalogOf([{ name: "sample", contexts: [shelf] }]);

for (const dialect of testDialects) {
  describe(`a service with tables (${dialect})`, () => {
    test("migrates its tables, serves through its repository, creates its streams, and reacts to another system's events", async () => {
      const service = await startInProcess(shelf, catalog, dialect);
      const nc = await connect({ servers: testNatsUrl });
      try {
        const ready = await fetch(`http://127.0.0.1:${service.running.httpPort}/readyz`);
        assert.deepEqual(Object.keys(((await ready.json()) as { checks: object }).checks).sort(), ["consumers", "database", "nats"]);
        const jsm = await nc.jetstreamManager();
        for (const system of ["sample", "billing"]) await jsm.streams.info(streamName(service.namespace, system)); // its own, and its policy's

        const client = createClient(ItemService, service.transport);
        await client.addItem({ id: "rose", name: "Rose", stock: 1, price: { amount: 1500n, currency: "KRW" } });
        assert.equal((await client.getItem({ id: "rose" })).item?.price?.amount, 1500n);

        const packed = service.watch(testEvents.orderPacked);
        await service.publish(testEvents.chargeApproved, { chargeId: "c-1", orderId: "o-1" }, { correlationId: "cmd-pay" });
        await eventually("the item to be packed", async () => (await client.getItem({ id: "rose" })).item?.stock === 0);
        const [event] = await eventually("OrderPacked to be published", () => packed.length > 0 && packed);
        assert.deepEqual([event.message.orderId, event.businessKey, event.correlationId], ["o-1", "o-1", "cmd-pay"], "the paying command carries on");

        // Out of stock: the refusal changes nothing and publishes nothing.
        await service.publish(testEvents.chargeApproved, { chargeId: "c-2", orderId: "o-2" });
        await eventually("the second charge to be handled", async () => (await eventsHandled(service.running, "packWhenCharged", "handled")) === 2);
        assert.equal((await client.getItem({ id: "rose" })).item?.stock, 0);
        assert.equal(packed.length, 1);
      } finally {
        await nc.close();
        await service.stop();
      }
    });
  });
}
