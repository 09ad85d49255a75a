import assert from "node:assert/strict";
import { test } from "node:test";
import { createReadiness } from "./readiness.js";

test("not ready until every condition is ok, and never again once shutdown starts", () => {
  const readiness = createReadiness(["database", "nats"]);
  const seen: boolean[] = [];
  const stop = readiness.onChange((ready) => seen.push(ready));
  assert.equal(readiness.ready(), false);

  readiness.mark("database", true);
  assert.equal(readiness.ready(), false);
  readiness.mark("nats", false, "connecting");
  assert.deepEqual(readiness.report(), {
    ready: false,
    checks: { database: { ok: true }, nats: { ok: false, detail: "connecting" } },
  });
  readiness.mark("nats", true);
  assert.equal(readiness.ready(), true);
  readiness.mark("nats", true); // no change, no event

  readiness.startShutdown();
  readiness.startShutdown();
  readiness.mark("database", true, "still fine");
  assert.equal(readiness.ready(), false);
  assert.equal(readiness.shuttingDown(), true);
  assert.deepEqual(readiness.report().checks.shutdown, { ok: false, detail: "shutting down" });
  assert.deepEqual(seen, [false, false, true, false, false]);

  stop();
  readiness.mark("nats", false);
  assert.equal(seen.length, 5);
});

test("an unknown condition is a programming error", () => {
  assert.throws(() => createReadiness(["database"]).mark("databse", true), /unknown readiness condition "databse"/);
});

test("no conditions: ready at once", () => {
  assert.equal(createReadiness([]).ready(), true);
});
