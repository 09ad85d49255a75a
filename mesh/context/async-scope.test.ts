import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { asyncSlot } from "./async-scope.js";

test("a slot's value follows the async work started in its run, and only that work", async () => {
  const slot = asyncSlot<string>();
  assert.equal(slot.get(), undefined);
  const seen: Array<string | undefined> = [];
  const a = slot.run("a", async () => {
    await tick();
    seen.push(slot.get());
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    seen.push(slot.get());
  });
  const b = slot.run("b", async () => {
    seen.push(slot.get());
    await tick();
    seen.push(slot.get());
  });
  assert.equal(slot.get(), undefined);
  await Promise.all([a, b]);
  assert.deepEqual(seen.sort(), ["a", "a", "b", "b"]);
  assert.equal(slot.get(), undefined);
});

test("slots are independent: a run of one neither hides nor replaces another's value", async () => {
  const context = asyncSlot<string>();
  const token = asyncSlot<object>();
  const mine = {};
  await context.run("outer", () =>
    token.run(mine, async () => {
      await tick();
      assert.equal(context.get(), "outer");
      assert.equal(token.get(), mine);
      await context.run("inner", async () => {
        await tick();
        assert.equal(context.get(), "inner");
        assert.equal(token.get(), mine); // still the enclosing run's
      });
      assert.equal(context.get(), "outer");
    }),
  );
  // Work started outside every run sees none, though other slots ran meanwhile.
  assert.equal(token.get(), undefined);
  assert.equal(context.get(), undefined);
});

test("nested runs of one slot: the innermost wins and the outer value returns after it", async () => {
  const slot = asyncSlot<number>();
  const other = asyncSlot<number>();
  await slot.run(1, () =>
    other.run(10, () =>
      slot.run(2, async () => {
        await tick();
        assert.equal(slot.get(), 2);
        assert.equal(other.get(), 10);
        slot.run(3, () => assert.equal(slot.get(), 3));
        assert.equal(slot.get(), 2);
      }),
    ),
  );
  // Replacing the innermost frame keeps what is beneath it.
  slot.run(1, () => slot.run(2, () => other.run(10, () => slot.run(3, () => {
    assert.equal(slot.get(), 3);
    assert.equal(other.get(), 10);
  }))));
});

test("a run returns what its function returns and lets its error through", () => {
  const slot = asyncSlot<string>();
  assert.equal(slot.run("x", () => 42), 42);
  assert.throws(() => slot.run("x", () => { throw new Error("boom"); }), /boom/);
  assert.equal(slot.get(), undefined);
});
