import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { OrderPlacedSchema, type OrderPlaced } from "../../gen/flower/v1/events_pb.js";
import { testDialects } from "../db/database-fixtures.js";
import type { ReceivedEvent } from "./event-type.js";
import type { Policy } from "./policy.js";
import { streamName } from "./subjects.js";
import { testEvents, until } from "./event-fixtures.js";
import { orders, recordingPolicy, trace, withHarness } from "./consumer-fixtures.js";

for (const dialect of testDialects) {
  describe(`policy consumer (${dialect})`, () => {
    test("each event is handled once, in its context; events it emits carry correlation and causation", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("wrapWhenPlaced");
        r.policy.handle = ((inner) => async (event, tx) => {
          await inner(event, tx);
          tx.emit(testEvents.flowerWrapped, { orderId: (event.message as OrderPlaced).orderId });
        })(r.policy.handle);
        const running = await h.start(r.policy);
        assert.equal(running.consumer, "test-svc-wrapWhenPlaced");
        await h.publish(orders(20, "o"), { correlationId: "ignored-by-option", trace });
        await until("20 events are handled", () => r.calls.length === 20);
        for (let i = 0; i < 20; i++) assert.ok(r.handledOnce(`o-${i}`));
        for (const { event, ctx } of r.calls) {
          assert.equal(event.correlationId, `o-saga-${event.message.orderId.slice(2)}`);
          assert.equal(ctx?.correlationId, event.correlationId, "correlation id in the handler's context");
          assert.equal(ctx?.causationId, event.id, "causation id = this event's id");
          assert.equal(ctx?.trace.traceId, trace.traceId, "same trace as the emitter");
          assert.notEqual(ctx?.trace.spanId, trace.spanId, "a child span");
          assert.equal(event.type, testEvents.orderPlaced);
        }
        const emitted = await h.db("outbox").where({ subject: "flower.store.FlowerWrapped" });
        assert.equal(emitted.length, 20);
        const byId = new Map(r.calls.map((c) => [c.event.id, c.event]));
        for (const row of emitted) {
          const cause = byId.get(row.causation_id);
          assert.ok(cause, "causation id is the handled event's id");
          assert.equal(row.correlation_id, cause.correlationId);
        }
        assert.equal(Number((await h.db("handled").count({ n: "*" }).first())!.n), 20);
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await until("20 counted as handled", async () => (await h.count("handled")) === 20);
        assert.equal((await h.metrics.eventLag.get()).values.find((v) => v.metricName?.endsWith("_count"))?.value, 20);
      });
    });

    test("a redelivered event (same id) changes nothing twice: the inbox skips it", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("recordWhenPlaced");
        let p = await h.start(r.policy);
        await h.publish(orders(5, "d"));
        await until("5 events are handled", () => r.calls.length === 5);
        await p.stop();
        // Reset the durable: JetStream delivers the same 5 messages (same ids) again.
        await h.nats.jsm.consumers.delete(streamName(h.nats.namespace, "flower"), p.consumer);
        p = await h.start(r.policy);
        await until("5 duplicates are skipped", async () => (await h.count("duplicate")) === 5);
        assert.equal(r.calls.length, 5);
        assert.equal(await h.count("handled"), 5);
      });
    });

    test("two replicas on one durable split the events; each is handled once", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("splitWhenPlaced");
        const seenBy = new Map<string, string[]>();
        const replica = (name: string) => async (e: ReceivedEvent<typeof OrderPlacedSchema>) => {
          seenBy.set(e.message.orderId, [...(seenBy.get(e.message.orderId) ?? []), name]);
          await sleep(1);
        };
        const a = recordingPolicy("splitWhenPlaced", replica("a"));
        const b = recordingPolicy("splitWhenPlaced", replica("b"));
        await h.start(a.policy, { nc: await h.connection(), concurrency: 4 });
        await h.start(b.policy, { nc: await h.connection(), concurrency: 4 });
        await h.publish(orders(200, "s"));
        await until("200 events are handled", () => a.calls.length + b.calls.length === 200);
        assert.equal(seenBy.size, 200);
        for (const [orderId, by] of seenBy) assert.equal(by.length, 1, `${orderId} handled by ${by.join(", ")}`);
        assert.ok(a.calls.length > 0 && b.calls.length > 0, `split ${a.calls.length}/${b.calls.length}`);
        assert.equal(r.calls.length, 0);
      });
    });

    test("events published while no consumer runs are handled when it starts", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("catchUpWhenPlaced");
        await (await h.start(r.policy)).stop();
        await h.publish(orders(30, "late"));
        const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), "test-svc-catchUpWhenPlaced");
        assert.equal(info.num_pending, 30);
        await h.start(r.policy, { pendingPollMs: 50 });
        await until("30 events are handled", () => r.calls.length === 30);
        await until("the pending gauge reads 0", async () =>
          (await h.metrics.consumerPending.get()).values.some((v) => v.labels.consumer === "test-svc-catchUpWhenPlaced" && v.value === 0));
      });
    });

    test("events of one correlation id are handled in order; different ones interleave", async () => {
      await withHarness(dialect, async (h) => {
        const seq = new Map<string, number[]>();
        const r = recordingPolicy("orderedWhenPlaced", async (e) => {
          await sleep(Math.random() * 3);
          seq.set(e.correlationId, [...(seq.get(e.correlationId) ?? []), e.message.qty]);
        });
        await h.start(r.policy, { concurrency: 8 });
        const events = [];
        for (let i = 0; i < 15; i++) for (const saga of ["a", "b", "c", "d"]) events.push({ orderId: `${saga}-${i}`, qty: i, correlationId: `saga-${saga}` });
        await h.publish(events);
        await until("60 events are handled", () => r.calls.length === 60);
        for (const [saga, qtys] of seq) assert.deepEqual(qtys, [...Array(15).keys()], `order within ${saga}`);
      });
    });

    test("a policy on several events filters on their system and ignores the rest; one across streams gets a consumer per stream", async () => {
      await withHarness(dialect, async (h) => {
        const seen: string[] = [];
        const policy: Policy = {
          name: "notifyOnOrderAndPayment",
          on: [testEvents.orderPlaced, testEvents.orderCancelled, testEvents.paymentApproved],
          async handle(event) {
            seen.push(event.type.name);
          },
        };
        const p = await h.start(policy);
        const filter = async (system: string) => (await h.nats.jsm.consumers.info(streamName(h.nats.namespace, system), p.consumer)).config.filter_subject;
        assert.equal(await filter("flower"), `${h.nats.namespace}.flower.order.>`, "the narrowest filter covering both");
        assert.equal(await filter("payment"), `${h.nats.namespace}.payment.flower.PaymentApproved`);
        await h.produce((tx) => {
          tx.emit(testEvents.flowerWrapped, { orderId: "w" }); // outside the filter: never delivered
          tx.emit(testEvents.orderRejected, { orderId: "r" }); // inside the filter, not handled: acked and ignored
          tx.emit(testEvents.orderPlaced, { orderId: "p" });
          tx.emit(testEvents.orderCancelled, { orderId: "c" });
          tx.emit(testEvents.paymentApproved, { paymentId: "pay" });
        });
        await until("three events are handled and one ignored", async () => seen.length === 3 && (await h.count("ignored")) === 1);
        assert.deepEqual([...seen].sort(), ["OrderCancelled", "OrderPlaced", "PaymentApproved"]);

        const wide: Policy = { name: "wideOnFlower", on: [testEvents.orderPlaced, testEvents.flowerWrapped], handle: async () => {} };
        const w = await h.start(wide);
        assert.equal((await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), w.consumer)).config.filter_subject, `${h.nats.namespace}.flower.>`);
      });
    });

    test("stop() lets the event in flight finish and acks it", async () => {
      await withHarness(dialect, async (h) => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered = false;
        const r = recordingPolicy("slowWhenPlaced", async () => {
          entered = true;
          await gate;
        });
        const p = await h.start(r.policy);
        await h.publish([{ orderId: "slow" }]);
        await until("the handler is running", () => entered);
        const stopped = p.stop();
        release();
        await stopped;
        assert.ok(r.handledOnce("slow"));
        await until("the event is acked", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "flower"), p.consumer);
          return info.num_ack_pending === 0 && info.num_pending === 0;
        });
      });
    });
  });
}

