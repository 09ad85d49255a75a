// REST transcoding over real HTTP/1.1 (fetch) and h2c (curl), through the HTTP port and the handler chain.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as http from "node:http";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { createLogger } from "../log/logger.js";
import { wrapService } from "../rpc/handler-chain.js";
import { createHttpServer, type HttpServer } from "../rpc/http-server.js";
import { createReadiness } from "../rpc/readiness.js";
import { sampleValue } from "../testing/metric-samples.js";
import { createMetrics } from "../telemetry/metrics.js";
import { ShelfService, shelfImpl } from "./rest-fixtures.js";

const logger = createLogger({ service: "rest-test", level: "error", write: () => undefined });
const metrics = createMetrics("rest-test");
let server: HttpServer;
let base: string;

before(async () => {
  server = createHttpServer({
    services: [{ service: ShelfService, impl: wrapService(ShelfService, shelfImpl(), { logger, metrics }) as never }],
    corsAllowedOrigins: ["https://shop.example"],
    readiness: createReadiness([]),
    metrics,
    logger,
  });
  base = `http://127.0.0.1:${await server.listen("127.0.0.1", 0)}`;
});

after(() => server.close(1000));

async function call(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
  const headers = { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers };
  const res = await fetch(base + path, { method, body: init.body, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

test("GET: path variables and query parameters fill the request; every field comes back in lowerCamelCase", async () => {
  const res = await call("GET", "/v1/shelves/north%2Fwing/items/42?verbose=true&kind=KIND_TULIP&tags=a&tags=b&filter.minQty=3&item.big=9007199254740993");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^application\/json/);
  assert.deepEqual(res.json, {
    shelf: "north/wing", id: "42", verbose: true, tags: ["a", "b"], kind: "KIND_TULIP", filter: { minQty: 3 },
    item: { id: "", shelf: "", qty: 0, fragile: false, kind: "KIND_UNSPECIFIED", tags: [], big: "9007199254740993" },
  });
  // An enum by number, a proto-spelled name, and the additional binding.
  assert.deepEqual((await call("GET", "/v1/items/7?kind=1&min_qty=1".replace("min_qty", "filter.min_qty"))).json.kind, "KIND_ROSE");
  // The seeds' short form, in any case, from the query and from a body.
  assert.deepEqual((await call("GET", "/v1/items/7?kind=Tulip")).json.kind, "KIND_TULIP");
  assert.deepEqual((await call("GET", "/v1/items/7?kind=rose")).json.kind, "KIND_ROSE");
  const shortInBody = await call("PATCH", "/v1/items/i-3", { body: JSON.stringify({ kind: "Tulip" }) });
  assert.equal(shortInBody.json.item.kind, "KIND_TULIP");
  const unknownShort = await call("GET", "/v1/items/7?kind=Daisy");
  assert.equal(unknownShort.status, 400);
  assert.match(JSON.stringify(unknownShort.json), /kind/);
  const extra = await call("GET", "/v1/items/7");
  assert.equal(extra.status, 200);
  assert.equal(extra.json.id, "7");
  assert.equal(extra.json.shelf, "");
});

test("a named body field, nested path fields, and query parameters for the rest", async () => {
  const item = { shelf: "s1", qty: "5", fragile: true, price: { amount: "1200", currency: "KRW" }, at: "2026-01-02T03:04:05Z", id: "ignored" };
  const patched = await call("PATCH", "/v1/items/i-1?note=careful", { body: JSON.stringify(item) });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.item.id, "i-1", "the path wins over the body");
  assert.equal(patched.json.item.qty, 5);
  assert.deepEqual(patched.json.item.price, { amount: "1200", currency: "KRW" });
  assert.equal(patched.json.item.at, "2026-01-02T03:04:05Z");
  assert.equal(patched.json.note, "careful");

  const put = await call("PUT", "/v1/shelves/s2/items/i-2", { body: "{}" });
  assert.equal(put.status, 200);
  assert.equal(put.json.item.id, "i-2");
  assert.equal(put.json.item.shelf, "s2");
});

test("body \"*\", a multi-segment variable and a verb", async () => {
  const moved = await call("POST", "/v1/shelves/a/items/b:move", { body: '{"to":"shelves/c","qty":2}' });
  assert.equal(moved.status, 200);
  assert.deepEqual(moved.json, { name: "shelves/a/items/b", to: "shelves/c", qty: 2 });
  // No body at all is an empty request, not an error.
  assert.deepEqual((await call("POST", "/v1/shelves/a/items/b:move")).json, { name: "shelves/a/items/b", to: "", qty: 0 });
  assert.equal((await call("POST", "/v1/shelves/a/items:move", { body: "{}" })).status, 404, "the variable needs both segments");
});

test("response_body: the named field is the whole response", async () => {
  const res = await call("GET", "/v1/shelves/s9/items");
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.map((i: { id: string; shelf: string }) => [i.id, i.shelf]), [["a", "s9"], ["b", ""]]);
});

test("errors: the HTTP status for the code and a google.rpc.Status body with details", async () => {
  const missing = await call("GET", "/v1/items/missing");
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json, {
    code: 5, message: 'item "missing" not found',
    details: [{ "@type": "type.googleapis.com/google.rpc.ResourceInfo", resourceType: "item", resourceName: "missing" }],
  });
  const bad = await call("GET", "/v1/items/bad");
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.details[0].fieldViolations, [{ field: "id", description: "must not be bad" }]);
  const refusedCall = await call("GET", "/v1/items/refused");
  assert.equal(refusedCall.status, 412);
  assert.equal(refusedCall.json.code, 9);
  assert.equal(refusedCall.json.message, "the shelf is locked");
  assert.equal(refusedCall.json.details[0]["@type"], "type.googleapis.com/google.rpc.PreconditionFailure");
  assert.equal((await call("GET", "/v1/items/exists")).status, 409);
  const down = await call("GET", "/v1/items/down");
  assert.equal(down.status, 503);
  assert.equal(down.json.details[0].retryDelay, "2s");
  const boom = await call("GET", "/v1/items/boom");
  assert.deepEqual([boom.status, boom.json.message], [500, "internal error"], "an unexpected error hides its cause");
});

test("bad input is a 400 naming the field and the reason", async () => {
  const unknownParam = await call("GET", "/v1/items/1?colour=red");
  assert.equal(unknownParam.status, 400);
  assert.deepEqual(unknownParam.json.details[0].fieldViolations, [{ field: "colour", description: "is not a field of mesh.test.v1.GetItemRequest" }]);
  const notNumber = await call("GET", "/v1/items/1?filter.minQty=many");
  assert.equal(notNumber.status, 400);
  assert.equal(notNumber.json.details[0].fieldViolations[0].field, "filter.minQty");
  const notBool = await call("GET", "/v1/items/1?verbose=yes");
  assert.deepEqual(notBool.json.details[0].fieldViolations, [{ field: "verbose", description: 'must be true or false, not "yes"' }]);
  const twice = await call("GET", "/v1/items/1?kind=1&kind=2");
  assert.equal(twice.json.details[0].fieldViolations[0].field, "kind");
  const unknownBodyField = await call("POST", "/v1/shelves/a/items/b:move", { body: '{"colour":"red"}' });
  assert.deepEqual(unknownBodyField.json.details[0].fieldViolations, [{ field: "colour", description: "is not a field of mesh.test.v1.MoveItemRequest" }]);
  const wrongType = await call("PATCH", "/v1/items/1", { body: '{"price":{"amount":"lots"}}' });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.json.details[0].fieldViolations[0].field, "item.price.amount");
  const queryWithStarBody = await call("POST", "/v1/shelves/a/items/b:move?to=x", { body: "{}" });
  assert.equal(queryWithStarBody.status, 400);
  assert.equal(queryWithStarBody.json.details[0].fieldViolations[0].field, "to");
  const notObject = await call("POST", "/v1/shelves/a/items/b:move", { body: "[1]" });
  assert.equal(notObject.status, 400);
});

test("malformed JSON is a 400 saying where; a wrong content type 415; an oversized body 413", async () => {
  const malformed = await call("POST", "/v1/shelves/a/items/b:move", { body: '{\n  "to": "x",\n  "qty": }' });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.code, 3);
  assert.equal(malformed.json.message, 'the body is not valid JSON: unexpected "}" at line 3, column 10');

  const form = await call("POST", "/v1/shelves/a/items/b:move", { body: "to=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(form.status, 415);
  assert.match(form.json.message, /content-type: application\/json/);

  const huge = JSON.stringify({ to: "x".repeat(5 * 1024 * 1024) });
  const tooBig = await call("POST", "/v1/shelves/a/items/b:move", { body: huge });
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.json.message, /larger than 4194304 bytes/);
});

test("an unknown path is a 404 and a known path with another method a 405, both JSON", async () => {
  const unknown = await call("GET", "/v1/nothing/here");
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.json, { code: 5, message: "no route for GET /v1/nothing/here", details: [] });
  const wrongMethod = await call("DELETE", "/v1/items/1");
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "GET, PATCH");
  assert.equal(wrongMethod.json.code, 12);
});

test("the correlation id comes back in a header, the caller's own or a new one", async () => {
  const given = await call("GET", "/v1/items/1", { headers: { "x-correlation-id": "order-77" } });
  assert.equal(given.headers.get("x-correlation-id"), "order-77");
  const made = await call("GET", "/v1/items/missing");
  assert.match(made.headers.get("x-correlation-id") ?? "", /^[0-9a-f-]{36}$/);
  // Refused before the handler ran (a query parameter that is no field): the id comes back all the same.
  const early = await call("GET", "/v1/items/1?colour=red", { headers: { "x-correlation-id": "order-78" } });
  assert.deepEqual([early.status, early.headers.get("x-correlation-id")], [400, "order-78"]);
});

test("REST calls are counted by the handler chain like any other protocol", async () => {
  const before = sampleValue(await metrics.registry.metrics(), "mesh_rpc_requests_total", { method: "/mesh.test.v1.ShelfService/GetItem", code: "OK", protocol: "rest" }) ?? 0;
  await call("GET", "/v1/items/5");
  const after = sampleValue(await metrics.registry.metrics(), "mesh_rpc_requests_total", { method: "/mesh.test.v1.ShelfService/GetItem", code: "OK", protocol: "rest" });
  assert.equal(after, before + 1);
});

test("CORS: a preflight from an allowed origin is answered; other origins get no allow header", async () => {
  const preflight = await call("OPTIONS", "/v1/items/1", {
    headers: { origin: "https://shop.example", "access-control-request-method": "PATCH", "access-control-request-headers": "content-type" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "https://shop.example");
  assert.match(preflight.headers.get("access-control-allow-methods")!, /PATCH/);
  assert.match(preflight.headers.get("access-control-allow-headers")!, /Content-Type/i);
  const real = await call("GET", "/v1/items/1", { headers: { origin: "https://shop.example" } });
  assert.equal(real.headers.get("access-control-allow-origin"), "https://shop.example");
  assert.match(real.headers.get("access-control-expose-headers")!, /x-correlation-id/);
  const other = await call("GET", "/v1/items/1", { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});

test("REST over h2c works the same (curl --http2-prior-knowledge)", async () => {
  const { stdout } = await promisify(execFile)("curl", ["-s", "--http2-prior-knowledge", "-w", "\n%{http_code} %{http_version}", `${base}/v1/shelves/s/items/9?verbose=true`]);
  const [body, status] = stdout.split("\n");
  assert.equal(status, "200 2");
  assert.deepEqual([JSON.parse(body).id, JSON.parse(body).verbose], ["9", true]);
});

test("a chunked body that grows past the limit is a 413 too, and the connection stays usable", async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, path: string, chunks: number) =>
    new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
      const req = http.request(`${base}${path}`, { method, agent, headers: { "content-type": "application/json" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body, socket: req.socket }));
      });
      req.on("error", reject);
      req.write('{"to":"');
      for (let i = 0; i < chunks; i++) req.write("x".repeat(64 * 1024)); // no content-length: chunked
      req.end('"}');
    });
  const tooBig = await request("POST", "/v1/shelves/a/items/b:move", 80);
  assert.equal(tooBig.status, 413);
  assert.equal(JSON.parse(tooBig.body).code, 8);
  const next = await request("POST", "/v1/shelves/a/items/b:move", 1);
  assert.equal(next.status, 200);
  assert.equal(next.socket, tooBig.socket, "the same keep-alive connection");
  agent.destroy();
});

test("decoding errors read as people write them, against the parameter or field the caller used", async () => {
  const violations = async (method: string, path: string, body?: string) => {
    const res = await call(method, path, body === undefined ? {} : { body });
    assert.equal(res.status, 400, JSON.stringify(res.json));
    return res.json.details[0].fieldViolations;
  };
  assert.deepEqual(await violations("GET", "/v1/items/1?kind=KIND_DAISY"), [{ field: "kind", description: "must be one of KIND_UNSPECIFIED, KIND_ROSE, KIND_TULIP" }]);
  assert.deepEqual(await violations("GET", "/v1/items/1?filter.min_qty=many"), [{ field: "filter.min_qty", description: "must be a whole number (int32)" }]);
  assert.deepEqual(await violations("GET", "/v1/items/1?filter.minQty=1.5"), [{ field: "filter.minQty", description: "must be a whole number (int32)" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"qty":"two"}'), [{ field: "item.qty", description: "must be a whole number (int32)" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"kind":"KIND_DAISY"}'), [{ field: "item.kind", description: "must be one of KIND_UNSPECIFIED, KIND_ROSE, KIND_TULIP" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"at":"yesterday"}'), [{ field: "item.at", description: "must be a time such as 2024-05-01T09:30:00Z" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"tags":["a",3]}'), [{ field: "item.tags[1]", description: "must be a string" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"price":{"amount":"lots"}}'), [{ field: "item.price.amount", description: 'must be a whole number (int64), best as a string such as "7000"' }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"price":7}'), [{ field: "item.price", description: "must be an object (a common.v1.Money)" }]);
  assert.deepEqual(await violations("PATCH", "/v1/items/1", '{"shelf":"\\ud800"}'), [{ field: "item.shelf", description: "must be valid Unicode text (it holds half of a surrogate pair)" }]);
  for (const v of [await violations("GET", "/v1/items/1?filter.min_qty=many"), await violations("PATCH", "/v1/items/1", '{"qty":"two"}')]) {
    assert.doesNotMatch(v[0].description, /cannot be|expected/, "no library wording");
  }
});

test("a body that is not UTF-8 is refused (400), not stored with its bytes replaced", async () => {
  const res = await fetch(base + "/v1/shelves/a/items/b:move", {
    method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from([0x7b, 0x22, 0x74, 0x6f, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { message: string }).message, /^the body is not valid UTF-8 \(at byte 7\)$/);
});
