import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { connect } from "nats";
import { testDialects } from "../db/database-fixtures.js";
import { takesSeveralFilters } from "./consumer.js";
import { on, policy, type Policy } from "./policy.js";
import { streamName } from "./subjects.js";
import { eventually, natsServer210, startOwnNatsServer, testEvents, testNatsUrl, type OwnNatsServer } from "./event-fixtures.js";
import { withHarness, type Harness } from "./consumer-fixtures.js";

// How a policy's consumers are filtered depends on the server: NATS 2.10 takes several subject
// filters on one consumer, 2.9 one. Run on the tests' NATS (2.9 on Debian bookworm) and on a
// NATS 2.10 of their own (scripts/nats-server-2.10.sh fetches it; the chart deploys 2.10).
const binary210 = natsServer210();
const own210: OwnNatsServer | undefined = binary210 ? await startOwnNatsServer(binary210) : undefined;
after(() => own210?.stop());

const servers = [
  { name: "the tests' NATS", url: testNatsUrl as string | undefined },
  { name: "NATS 2.10", url: own210?.url },
];

for (const server of servers) {
  const { version, several } = server.url ? await serverVersion(server.url) : { version: "", several: false };
  for (const dialect of testDialects) {
    describe(`policy consumer filters on ${server.name}, ${version || "absent"} (${dialect})`, { skip: server.url ? false : "no nats-server 2.10 binary: run scripts/nats-server-2.10.sh" }, () => {
      const run = (fn: (h: Harness) => Promise<void>) => withHarness(dialect, fn, server.url);
      const filters = async (h: Harness, system: string, consumer: string) => {
        const { config } = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, system), consumer);
        return config.filter_subjects ?? [config.filter_subject];
      };

      test(several
        ? "a policy on several events gets a consumer per stream filtered on exactly their subjects: nothing else is delivered"
        : "a policy on several events gets a consumer per stream filtered as narrowly as one filter allows; what it lets through unhandled is acked and counted as ignored", async () => {
        await run(async (h) => {
          const ns = h.nats.namespace;
          // Each handler receives its own type: the fields it reads need no cast.
          const seen: string[] = [];
          const notify = policy("notifyOnOrderAndCharge",
            on(testEvents.orderPlaced, async (e) => void seen.push(`placed ${e.message.orderId}`)),
            on(testEvents.orderCancelled, async (e) => void seen.push(`cancelled ${e.message.orderId}: ${e.message.reason}`)),
            on(testEvents.chargeApproved, async (e) => void seen.push(`charged ${e.message.chargeId} for ${e.businessKey}`)));
          const p = await h.start(notify);
          assert.deepEqual(await filters(h, "sample", p.consumer),
            several ? [`${ns}.sample.order.OrderPlaced`, `${ns}.sample.order.OrderCancelled`] : [`${ns}.sample.order.>`]);
          assert.deepEqual(await filters(h, "billing", p.consumer), [`${ns}.billing.sample.ChargeApproved`]);
          await h.produce((tx) => {
            tx.emit(testEvents.orderPacked, { orderId: "w" }); // another context: never delivered
            tx.emit(testEvents.orderRejected, { orderId: "r" }); // same context, not handled
            tx.emit(testEvents.orderPlaced, { orderId: "p" });
            tx.emit(testEvents.orderCancelled, { orderId: "c", reason: "changed mind" });
            tx.emit(testEvents.chargeApproved, { chargeId: "ch", orderId: "p" });
          });
          // OrderRejected comes before OrderPlaced in the stream: once that is handled, it was ignored or never delivered.
          await eventually("three events to be handled", () => seen.length === 3);
          assert.deepEqual([...seen].sort(), ["cancelled c: changed mind", "charged ch for p", "placed p"]);
          assert.equal(await h.count("ignored"), several ? 0 : 1);

          const wide: Policy = { name: "wideOnSample", on: [testEvents.orderPlaced, testEvents.orderPacked], handle: async () => {} };
          const w = await h.start(wide);
          assert.deepEqual(await filters(h, "sample", w.consumer),
            several ? [`${ns}.sample.order.OrderPlaced`, `${ns}.sample.warehouse.OrderPacked`] : [`${ns}.sample.>`]);
        });
      });

      test("the events of one business key keep their order across the subjects of one consumer", async () => {
        await run(async (h) => {
          const seen = new Map<string, number[]>();
          const record = (key: string, step: number) => seen.set(key, [...(seen.get(key) ?? []), step]);
          const p = policy("followOrders",
            on(testEvents.orderPlaced, async (e) => void record(e.message.orderId, e.message.qty)),
            on(testEvents.orderCancelled, async (e) => void record(e.message.orderId, Number(e.message.reason))));
          await h.start(p);
          // Each order's steps alternate between the two subjects, and the orders interleave.
          await h.produce((tx) => {
            for (let step = 0; step < 12; step++) {
              for (const key of ["a", "b", "c"]) {
                if (step % 2 === 0) tx.emit(testEvents.orderPlaced, { orderId: key, qty: step });
                else tx.emit(testEvents.orderCancelled, { orderId: key, reason: String(step) });
              }
            }
          });
          await eventually("36 events to be handled", () => [...seen.values()].flat().length === 36);
          for (const key of ["a", "b", "c"]) assert.deepEqual(seen.get(key), [...Array(12).keys()], `order within ${key}`);
        });
      });

      if (several) {
        test("a consumer made under one filter (NATS 2.9) is narrowed to the policy's subjects when the service starts on 2.10", async () => {
          await run(async (h) => {
            const ns = h.nats.namespace;
            const seen: string[] = [];
            const p = policy("notifyOnOrder",
              on(testEvents.orderPlaced, async (e) => void seen.push(`placed ${e.message.orderId}`)),
              on(testEvents.orderCancelled, async (e) => void seen.push(`cancelled ${e.message.orderId}`)));
            await h.nats.jsm.consumers.add(streamName(ns, "sample"), { durable_name: "test-svc-notifyOnOrder", filter_subject: `${ns}.sample.order.>`, ack_policy: "explicit" as never });
            const running = await h.start(p);
            assert.equal(running.consumer, "test-svc-notifyOnOrder");
            assert.deepEqual(await filters(h, "sample", running.consumer), [`${ns}.sample.order.OrderPlaced`, `${ns}.sample.order.OrderCancelled`]);
            await h.produce((tx) => {
              tx.emit(testEvents.orderRejected, { orderId: "r" });
              tx.emit(testEvents.orderPlaced, { orderId: "p" });
              tx.emit(testEvents.orderCancelled, { orderId: "c" });
            });
            await eventually("two events to be handled", () => seen.length === 2);
            assert.deepEqual(seen, ["placed p", "cancelled c"]);
            assert.equal(await h.count("ignored"), 0);
          });
        });
      }
    });
  }
}

async function serverVersion(url: string): Promise<{ version: string; several: boolean }> {
  const nc = await connect({ servers: url });
  try {
    return { version: nc.info?.version ?? "", several: takesSeveralFilters(nc) };
  } finally {
    await nc.close();
  }
}
