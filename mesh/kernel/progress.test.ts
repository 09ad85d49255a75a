import assert from "node:assert/strict";
import { test } from "node:test";
import { further } from "./progress.js";

const rank = { Placed: 0, Shipped: 1, Delivered: 2, Cancelled: 3 } as const;
type Status = keyof typeof rank;

test("a status only moves forward: a late report of an earlier one changes nothing", () => {
  assert.equal(further<Status>(rank, "Shipped", "Delivered"), "Delivered");
  assert.equal(further<Status>(rank, "Delivered", "Shipped"), "Delivered");
  assert.equal(further<Status>(rank, "Shipped", "Shipped"), "Shipped");
});

test("nothing known takes what is reported; nothing reported keeps what is known", () => {
  assert.equal(further<Status>(rank, undefined, "Placed"), "Placed");
  assert.equal(further<Status>(rank, "Placed", undefined), "Placed");
  assert.equal(further<Status>(rank, undefined, undefined), undefined);
});
