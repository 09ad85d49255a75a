import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { nanos } from "nats";
import { ensureStreams } from "./streams.js";
import { createTestNats, type TestNats } from "./event-fixtures.js";

let t: TestNats;
before(async () => {
  t = await createTestNats();
});
after(() => t.cleanup());

test("one file stream per system plus the dead-letter stream, 2-minute duplicate window", async () => {
  const p = t.namespace.toUpperCase();
  for (const [name, subject] of [[`${p}_FLOWER`, `${t.namespace}.flower.>`], [`${p}_PAYMENT`, `${t.namespace}.payment.>`], [`${p}_DEADLETTER`, `${t.namespace}.deadletter.>`]]) {
    const info = await t.jsm.streams.info(name);
    assert.deepEqual(info.config.subjects, [subject]);
    assert.equal(info.config.storage, "file");
    assert.equal(info.config.duplicate_window, nanos(120_000));
  }
});

test("idempotent, also when several processes start at once; a changed stream is updated", async () => {
  await Promise.all([1, 2, 3].map(() => ensureStreams(t.jsm, t.namespace, ["flower", "coffee", "flower"])));
  const name = `${t.namespace.toUpperCase()}_COFFEE`;
  assert.deepEqual((await t.jsm.streams.info(name)).config.subjects, [`${t.namespace}.coffee.>`]);

  await t.jsm.streams.update(name, { duplicate_window: nanos(1000) });
  await ensureStreams(t.jsm, t.namespace, ["coffee"]);
  assert.equal((await t.jsm.streams.info(name)).config.duplicate_window, nanos(120_000));
});

test("a stream that cannot be created is an error naming it", async () => {
  // A stream already captures these subjects: JetStream refuses an overlapping one.
  const clash = `${t.namespace.toUpperCase()}_CLASH`;
  await t.jsm.streams.add({ name: clash, subjects: [`${t.namespace}.rental.>`] });
  await assert.rejects(ensureStreams(t.jsm, t.namespace, ["rental"]), new RegExp(`stream ${t.namespace.toUpperCase()}_RENTAL`));
});
