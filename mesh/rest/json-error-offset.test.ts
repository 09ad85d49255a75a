import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonErrorOffset } from "./json-error-offset.js";

test("finds the first character a JSON parser refuses, whatever JSON.parse says", () => {
  const cases: Array<[string, number]> = [
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ["{'a': 1}", 1],
    ['{"a": 1', 7],
    ['[1, 2', 5],
    ['{"a": tru}', 9],
    ['{"a": 01}', 7],
    ['{"a": "x\\q"}', 9],
    ['{"a": 1} x', 9],
    ["", 0],
  ];
  for (const [text, offset] of cases) {
    assert.throws(() => JSON.parse(text), SyntaxError, `the case ${text} must really be invalid`);
    assert.equal(jsonErrorOffset(text), offset, text);
  }
});
