import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { createKeyedQueue } from "./keyed-queue.js";

// Items finish only when the test says so, so that what runs at once is observable without timing.
function controlled() {
  const running = new Map<string, () => void>();
  const started: string[] = [];
  const run = (item: string) =>
    new Promise<void>((resolve) => {
      started.push(item);
      running.set(item, resolve);
    });
  const finish = async (item: string) => {
    running.get(item)!();
    running.delete(item);
    await tick();
  };
  return { run, running, started, finish };
}

test("one item per key at a time, in arrival order; keys run side by side up to the concurrency", async () => {
  const c = controlled();
  const q = createKeyedQueue({ concurrency: 2, run: c.run });
  for (const [key, item] of [["a", "a1"], ["a", "a2"], ["b", "b1"], ["c", "c1"], ["b", "b2"]]) q.push(key, item);
  assert.deepEqual([...c.running.keys()], ["a1", "b1"], "a2 waits for a1; c1 waits for a slot");
  assert.deepEqual(q.waiting().sort(), ["a2", "b2", "c1"]);
  await c.finish("a1");
  assert.deepEqual([...c.running.keys()], ["b1", "c1"], "the freed slot goes to the key waiting longest");
  await c.finish("c1");
  assert.deepEqual([...c.running.keys()], ["b1", "a2"]);
  await c.finish("b1");
  await c.finish("a2");
  await c.finish("b2");
  assert.deepEqual(c.started, ["a1", "b1", "c1", "a2", "b2"]);
  await q.idle();
});

test("takeWaiting hands back what has not started; idle waits for what has", async () => {
  const c = controlled();
  const q = createKeyedQueue({ concurrency: 1, run: c.run });
  q.push("a", "a1");
  q.push("a", "a2");
  q.push("b", "b1");
  assert.deepEqual(q.takeWaiting().sort(), ["a2", "b1"]);
  let idle = false;
  const done = q.idle().then(() => (idle = true));
  await tick();
  assert.equal(idle, false);
  await c.finish("a1");
  await done;
  assert.deepEqual(c.started, ["a1"]);
});
