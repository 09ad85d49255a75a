// How policy() dispatches to its handlers (consumer.test.ts runs policies against real NATS).
import assert from "node:assert/strict";
import { test } from "node:test";
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { EventType, ReceivedEvent } from "./event-type.js";
import { testEvents } from "./event-fixtures.js";
import { on, policy } from "./policy.js";
import type { Transaction } from "./transaction.js";

// An event as the consumer hands it over, decoded.
const received = <D extends DescMessage>(type: EventType<D>, message: MessageInitShape<D>): ReceivedEvent =>
  ({ id: "e-1", type, message: create(type.schema, message), occurredAt: new Date(), correlationId: "cmd-1", businessKey: "o-1" }) as ReceivedEvent;
const tx = {} as Transaction;

test("each event goes to the handler of its type; prepare runs only for handlers that have one", async () => {
  const seen: string[] = [];
  const p = policy("recordWhenPlacedOrCancelled",
    on(testEvents.orderPlaced, {
      prepare: async (e) => `prepared ${e.message.orderId}`,
      handle: async (e, _tx, prepared) => void seen.push(`${prepared}, placed qty ${e.message.qty}`),
    }),
    on(testEvents.orderCancelled, async (e) => void seen.push(`cancelled: ${e.message.reason}`)));
  assert.deepEqual(p.on, [testEvents.orderPlaced, testEvents.orderCancelled]);
  const placed = received(testEvents.orderPlaced, { orderId: "o-1", qty: 2 });
  await p.handle(placed, tx, await p.prepare!(placed));
  const cancelled = received(testEvents.orderCancelled, { orderId: "o-1", reason: "late" });
  assert.equal(await p.prepare!(cancelled), undefined);
  await p.handle(cancelled, tx);
  assert.deepEqual(seen, ["prepared o-1, placed qty 2", "cancelled: late"]);
  assert.equal(policy("plain", on(testEvents.orderPlaced, async () => {})).prepare, undefined, "no prepare step when no handler prepares");
});

test("a type handled twice is a mistake at declaration; an event of no handled type is refused", async () => {
  const handle = async () => {};
  assert.throws(() => policy("twice", on(testEvents.orderPlaced, handle), on(testEvents.orderPlaced, handle)), /policy twice handles one event type twice/);
  const p = policy("onlyPlaced", on(testEvents.orderPlaced, handle));
  await assert.rejects(async () => p.handle(received(testEvents.orderPacked, { orderId: "o-1" }), tx), /policy onlyPlaced has no handler for sample\.warehouse\.OrderPacked/);
});
