import assert from "node:assert/strict";
import { test } from "node:test";
import { httpBindings } from "./http-rules.js";
import { ShelfService } from "./rest-fixtures.js";
import { createRestRouter } from "./rest-router.js";

const router = createRestRouter(httpBindings([ShelfService]));
const found = (method: string, path: string) => {
  const m = router.match(method, path);
  return m.kind === "found" ? `${m.binding.method.name} ${m.path.map((b) => `${b.fieldPath.join(".")}=${b.value}`).join(" ")}` : m.kind;
};

test("routes by method and path, additional bindings included, HEAD as GET", () => {
  assert.equal(found("GET", "/v1/shelves/s/items/i"), "GetItem shelf=s id=i");
  assert.equal(found("GET", "/v1/items/i"), "GetItem id=i");
  assert.equal(found("HEAD", "/v1/items/i"), "GetItem id=i");
  assert.equal(found("PATCH", "/v1/items/i"), "UpdateItem item.id=i");
  assert.equal(found("PUT", "/v1/shelves/s/items/i"), "UpdateItem item.shelf=s item.id=i");
  assert.equal(found("GET", "/v1/shelves/s/items"), "ListItems shelf=s");
  assert.equal(found("GET", "/v1/elsewhere"), "none");
  assert.deepEqual(router.match("DELETE", "/v1/items/i"), { kind: "method-not-allowed", allowed: ["GET", "PATCH"] });
});

test("two RPCs bound to the same method and path shape are refused at start", () => {
  const twice = [...httpBindings([ShelfService]), ...httpBindings([ShelfService]).filter((b) => b.method.name === "MoveItem")];
  assert.throws(() => createRestRouter(twice), /MoveItem and mesh.test.v1.ShelfService.MoveItem both bind POST \/v1\/\{name=shelves\/\*\/items\/\*\}:move/);
});
