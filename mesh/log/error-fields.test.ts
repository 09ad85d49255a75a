import assert from "node:assert/strict";
import { test } from "node:test";
import { describeError } from "./error-fields.js";

test("describeError: one line for a dead-letter header or a log, with the statement's shape and none of its values", () => {
  const duplicate = Object.assign(new Error("insert into `inbox` (`consumer`, `event_id`) values ('c', '010-1234-5678') - Duplicate entry '010-1234-5678' for key 'PRIMARY'"), {
    code: "ER_DUP_ENTRY", errno: 1062, sqlState: "23000", sqlMessage: "Duplicate entry '010-1234-5678' for key 'PRIMARY'",
  });
  assert.equal(describeError(duplicate), "Error: Duplicate entry ? for key 'PRIMARY' (in: insert into `inbox` (`consumer`, `event_id`) values (?, ?))");
  assert.equal(describeError(new TypeError("boom: cannot pack")), "TypeError: boom: cannot pack");
  assert.equal(describeError("plain"), "plain");
});
