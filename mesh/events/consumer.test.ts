import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { OrderPlacedSchema } from "../../gen/meshtest/v1/events_pb.js";
import { testDialects } from "../db/database-fixtures.js";
import type { ReceivedEvent } from "./event-type.js";
import { streamName } from "./subjects.js";
import { eventually, testEvents } from "./event-fixtures.js";
import { orders, recordingPolicy, trace, withHarness } from "./consumer-fixtures.js";

for (const dialect of testDialects) {
  describe(`policy consumer (${dialect})`, () => {
    test("each event is handled once, in its context; events it emits carry correlation, business key and causation", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("packWhenPlaced", (e, _attempt, tx) => tx.emit(testEvents.orderPacked, { orderId: e.message.orderId, qty: e.message.qty }));
        const running = await h.start(r.policy);
        assert.equal(running.consumer, "test-svc-packWhenPlaced");
        await h.publish(orders(20, "o"), trace);
        await eventually("20 events to be handled", () => r.calls.length === 20);
        for (let i = 0; i < 20; i++) assert.ok(r.handledOnce(`o-${i}`));
        for (const { event, ctx } of r.calls) {
          assert.equal(event.correlationId, `o-cmd-${event.message.orderId.slice(2)}`, "the command that emitted it");
          assert.equal(event.businessKey, event.message.orderId, "its type's key");
          assert.equal(ctx?.correlationId, event.correlationId, "correlation id in the handler's context");
          assert.equal(ctx?.businessKey, event.businessKey, "business key in the handler's context");
          assert.equal(ctx?.causationId, event.id, "causation id = this event's id");
          assert.equal(ctx?.trace.traceId, trace.traceId, "same trace as the emitter");
          assert.notEqual(ctx?.trace.spanId, trace.spanId, "a child span");
          assert.equal(event.type, testEvents.orderPlaced);
        }
        const emitted = await h.db("outbox").where({ subject: "sample.warehouse.OrderPacked" });
        assert.equal(emitted.length, 20);
        const byId = new Map(r.calls.map((c) => [c.event.id, c.event]));
        for (const row of emitted) {
          const cause = byId.get(row.causation_id);
          assert.ok(cause, "causation id is the handled event's id");
          assert.equal(row.correlation_id, cause.correlationId, "the command carries on");
          assert.equal(row.business_key, cause.message.orderId);
        }
        assert.equal(Number((await h.db("handled").count({ n: "*" }).first())!.n), 20);
        // Counted after the commit that the rows above show: wait for it rather than race it.
        await eventually("20 to be counted as handled", async () => (await h.count("handled")) === 20);
        assert.equal((await h.metrics.eventLag.get()).values.find((v) => v.metricName?.endsWith("_count"))?.value, 20);
      });
    });

    test("a redelivered event (same id) changes nothing twice: the inbox skips it", async () => {
      await withHarness(dialect, async (h) => {
        const r = recordingPolicy("recordWhenPlaced");
        let p = await h.start(r.policy);
        await h.publish(orders(5, "d"));
        await eventually("5 events to be handled", () => r.calls.length === 5);
        await p.stop();
        // Reset the durable: JetStream delivers the same 5 messages (same ids) again.
        await h.nats.jsm.consumers.delete(streamName(h.nats.namespace, "sample"), p.consumer);
        p = await h.start(r.policy);
        await eventually("5 duplicates to be skipped", async () => (await h.count("duplicate")) === 5);
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
        await eventually("200 events to be handled", () => a.calls.length + b.calls.length === 200);
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
        const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "sample"), "test-svc-catchUpWhenPlaced");
        assert.equal(info.num_pending, 30);
        await h.start(r.policy, { pendingPollMs: 50 });
        await eventually("30 events to be handled", () => r.calls.length === 30);
        await eventually("the pending gauge to read 0", async () =>
          (await h.metrics.consumerPending.get()).values.some((v) => v.labels.consumer === "test-svc-catchUpWhenPlaced" && v.value === 0));
      });
    });

    test("events of one business key are handled in order, whatever command emitted them; different keys interleave", async () => {
      await withHarness(dialect, async (h) => {
        const seq = new Map<string, number[]>();
        const r = recordingPolicy("orderedWhenPlaced", async (e) => {
          await sleep(Math.random() * 3);
          seq.set(e.businessKey, [...(seq.get(e.businessKey) ?? []), e.message.qty]);
        });
        await h.start(r.policy, { concurrency: 8 });
        // Each event by a command of its own: only the business key ties an order's events together.
        const events = [];
        for (let i = 0; i < 15; i++) for (const order of ["a", "b", "c", "d"]) events.push({ orderId: order, qty: i, correlationId: `cmd-${order}-${i}` });
        await h.publish(events);
        await eventually("60 events to be handled", () => r.calls.length === 60);
        assert.deepEqual([...seq.keys()].sort(), ["a", "b", "c", "d"]);
        for (const [order, qtys] of seq) assert.deepEqual(qtys, [...Array(15).keys()], `order within ${order}`);
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
        await eventually("the handler to be running", () => entered);
        const stopped = p.stop();
        release();
        await stopped;
        assert.ok(r.handledOnce("slow"));
        await eventually("the event to be acked", async () => {
          const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "sample"), p.consumer);
          return info.num_ack_pending === 0 && info.num_pending === 0;
        });
      });
    });
  });
}

