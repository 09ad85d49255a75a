import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeForLog } from "./escape.js";

test("text a caller sent is printed escaped and cut: no tab, line break, escape sequence or non-ASCII reaches the log", () => {
  assert.equal(escapeForLog("order-1"), "order-1");
  assert.equal(escapeForLog("a\tb\r\nc"), "a\\x09b\\x0d\\x0ac");
  assert.equal(escapeForLog("\x1b[31mred"), "\\x1b[31mred");
  assert.equal(escapeForLog("caf\u00e9 \u202e"), "caf\\xe9 \\u202e");
  assert.equal(escapeForLog("back\\slash"), "back\\\\slash");
  assert.equal(escapeForLog("x".repeat(300), 10), "xxxxxxxxxx... (300 characters)");
});
