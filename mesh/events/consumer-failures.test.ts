import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { headers as natsHeaders } from "nats";
import { OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { testDialects } from "../db/database-fixtures.js";
import { listDeadLetters } from "./dead-letters.js";
import { on, policy, RetryLaterError } from "./policy.js";
import { streamName } from "./subjects.js";
import { eventually, testEvents } from "./event-fixtures.js";
import { orders, recordingPolicy, withHarness } from "./consumer-fixtures.js";

for (const dialect of testDialects) {
  describe(`policy consumer, failures and batches (${dialect})`, () => {
    test("a failing handler is retried with backoff; after maxDeliver the event is dead-lettered and listed", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("failWhenPlaced", (e, attempt) => {
          if (e.message.orderId === "poison") throw new Error("boom: cannot pack");
          if (e.message.orderId === "flaky" && attempt < 3) throw new Error("not yet");
        });
        // One at a time: no batch, so each delivery is exactly one call of the handler.
        const p = await h.start(r.policy, { maxDeliver: 3, concurrency: 1 });
        await h.publish([{ orderId: "poison", correlationId: "cmd-poison" }, { orderId: "flaky" }]);
        await eventually("flaky to be handled", () => r.handledOnce("flaky"));
        await eventually("poison to be dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 1);
        assert.equal(r.attempts.get("poison"), 3);
        assert.equal(r.attempts.get("flaky"), 3);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), ["flaky"], "failed attempts rolled back");
        const [dead] = await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: p.consumer });
        assert.equal(dead.consumer, p.consumer);
        assert.equal(dead.subject, "sample.order.OrderPlaced");
        assert.equal(dead.deliveryCount, 3);
        assert.match(dead.reason, /boom: cannot pack/);
        assert.equal(dead.eventType, "meshtest.v1.OrderPlaced");
        assert.equal(dead.correlationId, "cmd-poison");
        assert.match(dead.eventId, /^[0-9a-f-]{36}$/);
        assert.ok(!Number.isNaN(Date.parse(dead.occurredAt)));
        assert.equal(fromBinary(OrderPlacedSchema, Buffer.from(dead.payloadBase64, "base64")).orderId, "poison");
        assert.deepEqual(await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace, consumer: "someone-else" }), []);
        assert.equal(await h.count("dead_lettered"), 1);
        assert.equal(await h.count("retried"), 4);
        await eventually("JetStream to have nothing left for the consumer", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "sample"), p.consumer);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        });
      });
    });

    test("events that arrive together share a transaction; one failing rolls its batch back and only it is retried", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const r = recordingPolicy("batchWhenPlaced", (e, attempt, tx) => {
          transactions.add(tx.db);
          if (e.message.orderId === "batch-7" && attempt === 1) throw new Error("first time fails");
        });
        await h.start(r.policy);
        await h.publish(orders(20, "batch"));
        await eventually("all 20 to be handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 20);
        assert.deepEqual((await h.db("handled").pluck("order_id")).sort(), orders(20, "batch").map((o) => o.orderId).sort(), "each committed once");
        // Without batching every handler call has a transaction of its own.
        const calls = [...r.attempts.values()].reduce((a, b) => a + b, 0);
        assert.ok(transactions.size < calls, `${transactions.size} transactions for ${calls} handler calls`);
        assert.equal(r.attempts.get("batch-7"), 2, "the failing event ran once in its batch, once alone");
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await eventually("20 to be counted as handled", async () => (await h.count("handled")) === 20);
      });
    });

    test("a batch prepares every event before its transaction; one that cannot be prepared yet waits alone", async () => {
      await withHarness(dialect, async (h) => {
        const transactions = new Set<unknown>();
        const preparedFor: string[] = [];
        let refusedOnce = false;
        const preparing = policy("prepareWhenPlaced", on(testEvents.orderPlaced, {
          async prepare(e) {
            const { orderId } = e.message;
            if (orderId === "prep-3" && !refusedOnce) {
              refusedOnce = true;
              throw new RetryLaterError("not yet", 20);
            }
            return `address of ${orderId}`;
          },
          async handle(e, tx, address) {
            transactions.add(tx.db);
            preparedFor.push(address);
            await tx.db("handled").insert({ event_id: e.id, order_id: e.message.orderId });
          },
        }));
        await h.start(preparing);
        await h.publish(orders(12, "prep"));
        await eventually("all 12 to be handled", async () => (await h.db("handled").count({ n: "*" }).first())?.n == 12);
        assert.deepEqual(preparedFor.sort(), orders(12, "prep").map((o) => `address of ${o.orderId}`).sort(), "each handler got its own prepare's result");
        assert.ok(refusedOnce);
        assert.ok(transactions.size < 12, `${transactions.size} transactions for 12 events`);
      });
    });

    test("RetryLaterError: redelivered after its delay and handled, logged at debug only", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("waitWhenPlaced", (_e, attempt) => {
          if (attempt === 1) throw new RetryLaterError("charge not seen yet", 50);
        });
        await h.start(r.policy);
        await h.publish([{ orderId: "later" }]);
        await eventually("the event to be handled", () => r.handledOnce("later"));
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
        const subject = `${h.nats.namespace}.sample.order.OrderPlaced`;
        const hdr = natsHeaders();
        hdr.set("Event-Type", "meshtest.v1.OrderPlaced");
        await js.publish(subject, new Uint8Array([0x0a, 0xff]), { msgID: "garbage-1", headers: hdr });
        const wrongType = natsHeaders();
        wrongType.set("Event-Type", "meshtest.v1.OrderCancelled");
        await js.publish(subject, new Uint8Array(), { msgID: "wrong-type-1", headers: wrongType });
        await h.publish([{ orderId: "fine" }]);
        await eventually("both to be dead-lettered", async () => (await listDeadLetters({ nc: h.nats.nc, namespace: h.nats.namespace })).length === 2);
        await eventually("the good one to be handled", () => r.handledOnce("fine"));
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

