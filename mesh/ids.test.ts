import assert from "node:assert/strict";
import { test } from "node:test";
import { idTime, newId } from "./ids.js";

test("newId is a UUIDv7: version 7, RFC variant, current time", () => {
  const before = Date.now();
  const id = newId();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const t = idTime(id).getTime();
  assert.ok(t >= before && t <= Date.now() + 1);
});

test("ids made one after another sort in the order they were made, even within a millisecond", () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
