import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, nanos } from "nats";
import { ensureStreams } from "./streams.js";
import { createTestNats, testNatsUrl, type TestNats } from "./event-fixtures.js";

let t: TestNats;
before(async () => {
  t = await createTestNats();
});
after(() => t.cleanup());

test("one file stream per system plus the dead-letter stream, 2-minute duplicate window", async () => {
  const p = t.namespace.toUpperCase();
  for (const [name, subject] of [[`${p}_SAMPLE`, `${t.namespace}.sample.>`], [`${p}_BILLING`, `${t.namespace}.billing.>`], [`${p}_DEADLETTER`, `${t.namespace}.deadletter.>`]]) {
    const info = await t.jsm.streams.info(name);
    assert.deepEqual(info.config.subjects, [subject]);
    assert.equal(info.config.storage, "file");
    assert.equal(info.config.duplicate_window, nanos(120_000));
  }
});

test("idempotent, also when several processes start at once; a changed stream is updated", async () => {
  await Promise.all([1, 2, 3].map(() => ensureStreams(t.jsm, t.namespace, ["sample", "coffee", "sample"])));
  const name = `${t.namespace.toUpperCase()}_COFFEE`;
  assert.deepEqual((await t.jsm.streams.info(name)).config.subjects, [`${t.namespace}.coffee.>`]);

  await t.jsm.streams.update(name, { duplicate_window: nanos(1000) });
  await ensureStreams(t.jsm, t.namespace, ["coffee"]);
  assert.equal((await t.jsm.streams.info(name)).config.duplicate_window, nanos(120_000));
});

test("many connections creating the same new streams at the same moment all succeed (services started together in one process)", async () => {
  // JetStream answers a create that races another one for the same stream "subjects overlap".
  const connections = await Promise.all(Array.from({ length: 20 }, () => connect({ servers: testNatsUrl })));
  const managers = await Promise.all(connections.map((nc) => nc.jetstreamManager()));
  try {
    for (let round = 0; round < 20; round++) {
      const systems = ["a", "b", "c"].map((s) => `race${round}${s}`);
      // Each in its own order, as services of different systems do.
      await Promise.all(managers.map((jsm, i) => ensureStreams(jsm, t.namespace, [0, 1, 2].map((k) => systems[(i + k) % 3]))));
      for (const system of systems) {
        assert.deepEqual((await t.jsm.streams.info(`${t.namespace.toUpperCase()}_${system.toUpperCase()}`)).config.subjects, [`${t.namespace}.${system}.>`]);
      }
    }
  } finally {
    await Promise.all(connections.map((nc) => nc.close()));
  }
});

test("a stream that cannot be created is an error naming it", async () => {
  // A stream already captures these subjects: JetStream refuses an overlapping one.
  const clash = `${t.namespace.toUpperCase()}_CLASH`;
  await t.jsm.streams.add({ name: clash, subjects: [`${t.namespace}.rental.>`] });
  await assert.rejects(ensureStreams(t.jsm, t.namespace, ["rental"]), new RegExp(`stream ${t.namespace.toUpperCase()}_RENTAL`));
});

test("system streams keep events for the retention and take a changed one; dead letters are kept for ever", async () => {
  const day = 24 * 3600_000;
  await ensureStreams(t.jsm, t.namespace, ["resort"], { retentionMs: 7 * day });
  const p = t.namespace.toUpperCase();
  assert.equal((await t.jsm.streams.info(`${p}_RESORT`)).config.max_age, nanos(7 * day));
  assert.equal((await t.jsm.streams.info(`${p}_DEADLETTER`)).config.max_age, 0);
  await ensureStreams(t.jsm, t.namespace, ["resort"], { retentionMs: 2 * day });
  assert.equal((await t.jsm.streams.info(`${p}_RESORT`)).config.max_age, nanos(2 * day));
});
