import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testDialects } from "../db/database-fixtures.js";
import { createBatcher, type Batcher } from "./handle-batch.js";
import { createTransact } from "./transact.js";
import type { Transaction } from "./transaction.js";
import { on, policy } from "./policy.js";
import { runtimeTables } from "./runtime-migrations.js";
import { streamName } from "./subjects.js";
import { eventually, testEvents } from "./event-fixtures.js";
import { orders, withHarness, type Harness } from "./consumer-fixtures.js";

// A gate a handler waits at until the test opens it.
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

// Until JetStream has handed each consumer `n` events.
const delivered = (h: Harness, consumers: string[], n: number) =>
  eventually(`${n} events delivered to ${consumers.join(" and ")}`, async () => {
    for (const c of consumers) {
      const info = await h.nats.jsm.consumers.info(streamName(h.nats.namespace, "sample"), c);
      if (info.delivered.consumer_seq !== n || info.num_pending !== 0) return false;
    }
    return true;
  });

// Two policies on OrderPlaced sharing a batcher (whose commits are counted): "pack" holds its
// transaction at share-0 until the test lets it go, so the other events gather behind it. With
// `failOnce`, the first handler to run in a transaction that already ran both policies' events
// throws, once: that batch rolls back with work of both in it.
async function sharing(h: Harness, failOnce = false) {
  await h.db.schema.createTable("billed", (tb) => tb.string("event_id").primary());
  const held = gate();
  const seenIn = { pack: new Set<unknown>(), bill: new Set<unknown>() };
  const attempts = new Map<string, number>();
  const ranIn = new Map<unknown, string[]>(); // transaction → the handler calls it ran
  let failed: string[] | undefined; // the calls the failed transaction ran before it threw
  const attempt = (key: string, tx: Transaction) => {
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    const ran = ranIn.get(tx.db) ?? [];
    ranIn.set(tx.db, [...ran, key]);
    const both = ran.some((k) => k.startsWith("pack ")) && ran.some((k) => k.startsWith("bill "));
    if (failOnce && !failed && both) {
      failed = ran;
      throw new Error("fails once, in a transaction of both policies");
    }
  };
  const pack = policy("packWhenPlaced", on(testEvents.orderPlaced, async (e, tx) => {
    seenIn.pack.add(tx.db);
    if (e.message.orderId === "share-0") await held.opened;
    attempt(`pack ${e.message.orderId}`, tx);
    await tx.db("handled").insert({ event_id: e.id, order_id: e.message.orderId });
  }));
  const bill = policy("billWhenPlaced", on(testEvents.orderPlaced, async (e, tx) => {
    seenIn.bill.add(tx.db);
    attempt(`bill ${e.message.orderId}`, tx);
    await tx.db("billed").insert({ event_id: e.id });
  }));
  let commits = 0;
  let arrived = 0; // deliveries handed to the batcher, whether they wait or run
  const shared = createBatcher({ transact: createTransact({ db: h.db, onCommit: () => commits++ }), maxBatch: 64 });
  const batcher: Batcher = (member) => {
    const join = shared(member);
    return (delivery) => (arrived++, join(delivery));
  };
  const consumers = [(await h.start(pack, { batcher })).consumer, (await h.start(bill, { batcher })).consumer];
  const all = orders(20, "share");
  try {
    await h.publish(all.slice(0, 1));
    await delivered(h, consumers, 1);
    await h.publish(all.slice(1));
    // JetStream has sent them all, and the consumers have handed them all to the batcher: the
    // 38 or 39 not in the held transaction wait for the next one, together.
    await delivered(h, consumers, 20);
    await eventually("all 40 deliveries to reach the batcher", () => arrived === 40);
  } finally {
    held.open(); // also when the test failed: the harness waits for the events in flight at its end
  }
  await eventually("every event handled by both", async () => (await h.db(runtimeTables.inbox).count({ n: "*" }).first())?.n == 40);
  assert.equal((await h.db("handled").pluck("order_id")).length, 20, "each committed once by pack");
  assert.equal((await h.db("billed").pluck("event_id")).length, 20, "each committed once by bill");
  assert.ok([...seenIn.pack].some((tx) => seenIn.bill.has(tx)), "a transaction held events of both policies");
  await eventually("40 to be counted as handled", async () => (await h.count("handled")) === 40);
  return { commits, attempts, failed };
}

for (const dialect of testDialects) {
  describe(`policies sharing a batcher (${dialect})`, () => {
    test("the events several policies take at once share one transaction", async () => {
      await withHarness(dialect, async (h) => {
        const { commits, attempts } = await sharing(h);
        // share-0 alone (with bill's, if it came in the same turn), then the other 39 or 38 together.
        assert.ok(commits <= 3, `${commits} commits for 40 events handled`);
        assert.ok([...attempts.values()].every((n) => n === 1), "no handler ran twice");
      });
    });

    test("a batch of several policies' events that fails rolls back; each event is then handled once by each, alone", async () => {
      await withHarness(dialect, async (h) => {
        const { attempts, failed } = await sharing(h, true);
        assert.ok(failed, "a transaction ran both policies' events and failed");
        // What it ran before it threw was rolled back and ran again alone (each committed once: sharing checks the rows).
        for (const key of failed) assert.equal(attempts.get(key), 2, `${key}: once in the failed batch, once alone`);
        assert.ok(failed.some((k) => k.startsWith("pack ")) && failed.some((k) => k.startsWith("bill ")));
      });
    });

    test("a policy with prepare keeps a batcher of its own: its calls out never hold up the others' events", async () => {
      await withHarness(dialect, async (h) => {
        const remote = gate();
        const prepared: string[] = [];
        const lookUp = policy("lookUpWhenPlaced", on(testEvents.orderPlaced, {
          async prepare(e) {
            await remote.opened; // a dependency that answers only when the test says so
            return `address of ${e.message.orderId}`;
          },
          async handle(_e, _tx, address) {
            prepared.push(address);
          },
        }));
        const batcher = createBatcher({ transact: h.transact, maxBatch: 32 });
        let packed = 0;
        const pack = policy("packWhenPlaced", on(testEvents.orderPlaced, async () => {
          packed++;
        }));
        await h.start(lookUp, { batcher });
        await h.start(pack, { batcher });
        try {
          await h.publish(orders(5, "wait"));
          await eventually("pack to handle all 5 while the lookups wait", async () => packed === 5, 5000);
          assert.deepEqual(prepared, []);
        } finally {
          remote.open();
        }
        await eventually("the lookups to finish", async () => prepared.length === 5);
      });
    });
  });
}
