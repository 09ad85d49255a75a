import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { headers as natsHeaders } from "nats";
import { OrderPlacedSchema } from "../../gen/flower/v1/events_pb.js";
import { testDialects } from "../db/database-fixtures.js";
import { listDeadLetters } from "./dead-letters.js";
import { RetryLaterError, type Policy } from "./policy.js";
import { streamName } from "./subjects.js";
import { testEvents, until } from "./event-fixtures.js";
import { orders, recordingPolicy, withHarness } from "./consumer-fixtures.js";

for (const dialect of testDialects) {
  describe(`policy consumer, failures and batches (${dialect})`, () => {
    test("a failing handler is retried with backoff; after maxDeliver the event is dead-lettered and listed", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("failWhenPlaced", (e, attempt) => {
          if (e.message.orderId === "poison") throw new Error("boom: cannot wrap");
          if (e.message.orderId === "flaky" && attempt < 3) throw new Error("not yet");
        });
        // One at a time: no batch, so each delivery is exactly one call of the handler.
        const p = await h.start(r.policy, { maxDeliver: 3, concurrency: 1 });
        await h.publish([{ orderId: "poison", correlationId: "saga-poison" }, { orderId: "flaky" }]);
        await until("flaky is handled", () => r.handledOnce("flaky"));
        await until("poison is dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 1);
        assert.equal(r.attempts.get("poison"), 3);
        assert.equal(r.attempts.get("flaky"), 3);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), ["flaky"], "failed attempts rolled back");
        const [dead] = await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: p.consumer });
        assert.equal(dead.consumer, p.consumer);
        assert.equal(dead.subject, "flower.order.OrderPlaced");
        assert.equal(dead.deliveryCount, 3);
        assert.match(dead.reason, /boom: cannot wrap/);
        assert.equal(dead.eventType, "flower.v1.OrderPlaced");
        assert.equal(dead.correlationId, "saga-poison");
        assert.match(dead.eventId, /^[0-9a-f-]{36}$/);
        assert.ok(!Number.isNaN(Date.parse(dead.occurredAt)));
        assert.equal(fromBinary(OrderPlacedSchema, Buffer.from(dead.payloadBase64, "base64")).orderId, "poison");
        assert.deepEqual(await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: "someone-else" }), []);
        assert.equal(await h.count("dead_lettered"), 1);
        assert.equal(await h.count("retried"), 4);
        await until("JetStream has nothing left for the consumer", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), p.consumer);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        });
      });
    });

    test("events that arrive together share a transaction; one failing rolls its batch back and only it is retried", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const r = recordingPolicy("batchWhenPlaced", (e, attempt) => {
          if (e.message.orderId === "batch-7" && attempt === 1) throw new Error("first time fails");
        });
        const handle = r.policy.handle.bind(r.policy);
        r.policy.handle = async (event, tx) => {
          transactions.add(tx.db);
          await handle(event, tx);
        };
        await h.start(r.policy);
        await h.publish(orders(20, "batch"));
        await until("all 20 handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 20);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), orders(20, "batch").map((o) => o.orderId).sort(), "each committed once");
        // Without batching every handler call has a transaction of its own.
        const calls = [...r.attempts.values()].reduce((a, b) => a + b, 0);
        assert.ok(transactions.size < calls, `${transactions.size} transactions for ${calls} handler calls`);
        assert.equal(r.attempts.get("batch-7"), 2, "the failing event ran once in its batch, once alone");
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await until("20 counted as handled", async () => (await h.count("handled")) === 20);
      });
    });

    test("a batch prepares every event before its transaction; one that cannot be prepared yet waits alone", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const preparedFor: string[] = [];
        let refusedOnce = false;
        const policy: Policy = {
          name: "prepareWhenPlaced",
          on: [testEvents.orderPlaced],
          async prepare(event) {
            const orderId = (event.message as unknown as { orderId: string }).orderId;
            if (orderId === "prep-3" && !refusedOnce) {
              refusedOnce = true;
              throw new RetryLaterError("not yet", 20);
            }
            return `address of ${orderId}`;
          },
          async handle(event, tx, prepared) {
            transactions.add(tx.db);
            preparedFor.push(String(prepared));
            await tx.db("handled").insert({ order_id: (event.message as unknown as { orderId: string }).orderId });
          },
        };
        await h.start(policy);
        await h.publish(orders(12, "prep"));
        await until("all 12 handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 12);
        assert.deepEqual(preparedFor.sort(), orders(12, "prep").map((o) => `address of ${o.orderId}`).sort(), "each handler got its own prepare's result");
        assert.ok(refusedOnce);
        assert.ok(transactions.size < 12, `${transactions.size} transactions for 12 events`);
      });
    });

    test("RetryLaterError: redelivered after its delay and handled, logged at debug only", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("waitWhenPlaced", (_e, attempt) => {
          if (attempt === 1) throw new RetryLaterError("payment not seen yet", 50);
        });
        await h.start(r.policy);
        await h.publish([{ orderId: "later" }]);
        await until("the event is handled", () => r.handledOnce("later"));
        assert.equal(r.attempts.get("later"), 2);
        assert.ok(h.logs.some((l) => l.level === "debug" && l.msg === "policy will retry later"));
        assert.ok(!h.logs.some((l) => l.level === "warn" || l.level === "error"));
      });
    });

    test("a malformed event is dead-lettered at once and never reaches the handler", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("strictWhenPlaced");
        await h.start(r.policy);
        const js = h.nats.nc.jetstream();
        const subject = `${h.nats.namespace}.flower.order.OrderPlaced`;
        const hdr = natsHeaders();
        hdr.set("Event-Type", "flower.v1.OrderPlaced");
        await js.publish(subject, new Uint8Array([0x0a, 0xff]), { msgID: "garbage-1", headers: hdr });
        const wrongType = natsHeaders();
        wrongType.set("Event-Type", "flower.v1.OrderCancelled");
        await js.publish(subject, new Uint8Array(), { msgID: "wrong-type-1", headers: wrongType });
        await h.publish([{ orderId: "fine" }]);
        await until("both are dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 2);
        await until("the good one is handled", () => r.handledOnce("fine"));
        const dead = await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace });
        assert.deepEqual(dead.map((d) => d.eventId).sort(), ["garbage-1", "wrong-type-1"]);
        for (const d of dead) {
          assert.match(d.reason, /^malformed event/);
          assert.equal(d.deliveryCount, 1);
        }
        assert.equal(r.calls.length, 1);
      });
    });
  });
}

