import assert from "node:assert/strict";
import { test } from "node:test";
import { compareSpecificity, matchPath, parsePathTemplate } from "./path-template.js";

const bindings = (template: string, path: string) =>
  matchPath(parsePathTemplate(template), path)?.map((b) => [b.fieldPath.join("."), b.value]);

test("literal segments and single-segment variables, percent-decoded", () => {
  assert.deepEqual(bindings("/flower/orders/{id}", "/flower/orders/o-1"), [["id", "o-1"]]);
  assert.deepEqual(bindings("/flower/orders/{id}", "/flower/orders/a%20b%2Fc"), [["id", "a b/c"]]);
  assert.equal(bindings("/flower/orders/{id}", "/flower/orders"), undefined);
  assert.equal(bindings("/flower/orders/{id}", "/flower/orders/"), undefined, "an empty segment fills no variable");
  assert.equal(bindings("/flower/orders/{id}", "/flower/orders/1/more"), undefined);
  assert.equal(bindings("/flower/orders/{id}", "/flower/stores/1"), undefined);
  assert.equal(bindings("/flower/orders/{id}", "/flower/orders/%E0%A4%A"), undefined, "a malformed escape matches nothing");
});

test("nested field paths, multi-segment variables, ** and verbs", () => {
  assert.deepEqual(bindings("/v1/{item.shelf}/items/{item.id}", "/v1/s/items/i"), [["item.shelf", "s"], ["item.id", "i"]]);
  assert.deepEqual(bindings("/v1/{name=shelves/*/books/*}", "/v1/shelves/1/books/2"), [["name", "shelves/1/books/2"]]);
  assert.equal(bindings("/v1/{name=shelves/*/books/*}", "/v1/shelves/1/books"), undefined);
  assert.deepEqual(bindings("/v1/{path=**}", "/v1/a/b/c"), [["path", "a/b/c"]]);
  assert.deepEqual(bindings("/v1/files/**", "/v1/files"), [], "** matches zero segments too");
  assert.deepEqual(bindings("/v1/{name=items/*}:move", "/v1/items/7:move"), [["name", "items/7"]]);
  assert.equal(bindings("/v1/{name=items/*}:move", "/v1/items/7"), undefined);
  assert.deepEqual(bindings("/v1/items/{id}", "/v1/items/7:move"), [["id", "7:move"]], "without a verb a colon is part of the segment");
});

test("malformed templates are refused with the reason", () => {
  assert.throws(() => parsePathTemplate("flower/orders"), /must start with \//);
  assert.throws(() => parsePathTemplate("/flower/{id"), /unclosed/);
  assert.throws(() => parsePathTemplate("/flower//orders"), /empty segment/);
  assert.throws(() => parsePathTemplate("/v1/**/x"), /'\*\*' must be the last segment/);
  assert.throws(() => parsePathTemplate("/v1/{id}x"), /whole segments/);
  assert.throws(() => parsePathTemplate("/v1/{id}/{id}"), /bound twice/);
  assert.throws(() => parsePathTemplate("/v1/{bad-name}"), /bad field path/);
});

test("the more specific template sorts first", () => {
  const sorted = ["/v1/{a}/{b}", "/v1/**", "/v1/items/{id}", "/v1/{name=items/*}:move"]
    .map(parsePathTemplate).sort(compareSpecificity).map((t) => t.source);
  assert.deepEqual(sorted, ["/v1/{name=items/*}:move", "/v1/items/{id}", "/v1/{a}/{b}", "/v1/**"], "a verb makes it more specific");
});
