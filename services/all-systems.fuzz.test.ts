// Hostile input at every REST operation of every system, as a client sees them: the operations,
// their parameters and bodies are read from the published OpenAPI document, and each request
// fills them with values of the wrong type, out of range, too long, not UTF-8 or not JSON, from a
// seeded PRNG (FUZZ_SEED=<n> replays a run). Every service runs as a process behind the gateway.
// Nothing may answer a 5xx; afterwards every service is ready. (flower.fuzz.test.ts goes deeper
// into one system: Connect and raw gRPC frames.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { seededRandom, startTestSystem, type TestSystem } from "../mesh/testing/index.js";
import { catalog } from "./catalog.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const budgetMs = Number(process.env.FUZZ_MS ?? 20_000);
const maxRequests = Number(process.env.FUZZ_REQUESTS ?? 5000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const doc: Json = JSON.parse(readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8"));
const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.entries(item as Json).map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Json })));

const { seed, int, pick, chance } = seededRandom("FUZZ_SEED");

const hostileText = ["", "x".repeat(70_000), "a\tb", "caf\u00e9", "\u0000", "\ud800", "../../etc", "<script>", "1e3", "NaN", "-1", "Rentable", "Canceled", "'; drop table x; --"];
const hostileAny: unknown[] = [null, true, -1, 0, 2 ** 31, -(2 ** 63), 1e308, 1.5, "", "x".repeat(300), [], [1, "a"], {}, { amount: "x" }, "2026-02-30", "9999999999999999999999"];

const resolve = (schema: Json | undefined): Json => {
  let s = schema ?? {};
  for (let i = 0; i < 5 && s.$ref; i++) s = (s.$ref as string).split("/").slice(1).reduce((n: Json, k: string) => n?.[k], doc) ?? {};
  return s;
};

// A value for a schema: usually plausible, often hostile (the wrong type, too long, out of range).
function valueFor(schema: Json | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (chance(0.25)) return pick(hostileAny);
  if (s.enum) return chance(0.8) ? pick(s.enum as unknown[]) : pick(["Rentable", "Paid", "Canceled", "NOT_A_VALUE", "paid"]);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "object": {
      if (depth > 3) return {};
      const out: Json = {};
      for (const [name, field] of Object.entries((s.properties ?? {}) as Json)) if (chance(0.7)) out[name] = valueFor(field, depth + 1);
      if (chance(0.2)) out[pick(["unknownField", "__proto__", "constructor", "id"])] = pick(hostileAny);
      return out;
    }
    case "array": return Array.from({ length: int(3) }, () => valueFor(s.items, depth + 1));
    case "integer": case "number": return pick([0, 1, 2, -5, 1000, 2 ** 31, 1.5, "12", "x"]);
    case "boolean": return pick([true, false, "true", 1]);
    default: return s.format === "date-time" ? pick(["2026-12-24T10:00:00Z", "yesterday", "2026-13-01T00:00:00Z"]) : pick(hostileText.concat(["1", "Seoul", "2026-12-24"]));
  }
}

function mutateBytes(text: string): Buffer {
  const out = Buffer.from(text);
  for (let i = 1 + int(3); i > 0 && out.length > 0; i--) {
    const at = int(out.length);
    if (chance(0.5)) out[at] = pick([0xc3, 0xff, 0x80, 0xed]); // bytes that break UTF-8
    else return out.subarray(0, at); // cut short
  }
  return out;
}

type Sent = { what: string; status: number; body: string };
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function send(base: string, method: string, path: string, body: Buffer | undefined): Promise<Sent> {
  const what = `${method} ${path}`;
  return new Promise((done) => {
    let req: http.ClientRequest;
    try {
      req = http.request(new URL(path, base), { method, agent, headers: body ? { "content-type": pick(["application/json", "application/json", "text/plain", "application/json; charset=latin1"]) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ what, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 300) }));
        res.on("error", () => done({ what, status: 0, body: "response error" }));
      });
    } catch {
      return done({ what, status: -1, body: "not sendable" }); // node refused the path itself
    }
    req.on("error", (e) => done({ what, status: 0, body: `client error ${e.message}` }));
    req.end(body);
  });
}

// One request for an operation: the path's variables, then query parameters or a body, each filled by valueFor.
function requestFor({ path, method, op }: (typeof operations)[number]): { path: string; body?: Buffer } {
  const params = (op.parameters ?? []) as Json[];
  // Every byte percent-encoded: a path segment may carry anything, even what is not UTF-8.
  const segment = (text: string) => [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
  let url = path.replace(/\{([^}]+)\}/g, () => (chance(0.5) ? segment(pick(hostileText).slice(0, 400)) : `id-${int(1000)}`));
  const query = new URLSearchParams();
  for (const p of params.filter((p) => p.in === "query")) if (chance(0.4)) query.append(p.name, String(valueFor(p.schema)).slice(0, 2000));
  if (chance(0.1)) query.append(pick(["nope", "pageToken", "pageSize"]), pick(["-1", "garbage!", "99999"]));
  if ([...query.keys()].length) url += `?${query}`;
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return { path: url };
  const text = chance(0.05) ? pick(["{", "[]", "null", "\"x\"", "{\"a\":}"]) : JSON.stringify(valueFor(schema));
  return { path: url, body: chance(0.2) ? mutateBytes(text) : Buffer.from(text) };
}

let sys: TestSystem;

describe("hostile input at every REST operation of every system (processes)", { timeout: 240_000 }, () => {
  before(async () => {
    sys = await startTestSystem({ catalog, root, ids: catalog.map((e) => e.id), log: "all-systems-fuzz" });
    console.log(`# fuzz seed ${seed} (FUZZ_SEED=${seed} replays it); ${operations.length} operations`);
  });
  after(() => sys?.stop());

  test(`thousands of hostile requests over ${operations.length} operations: no 5xx (seed ${seed})`, async () => {
    const gateway = sys.url("gateway", "http");
    const started = Date.now();
    const byStatus = new Map<number, number>();
    const failures: Sent[] = [];
    const reached = new Set<string>();
    let sent = 0;
    // Eight at a time: steady pressure without queueing the machine to death.
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (sent < maxRequests && Date.now() - started < budgetMs) {
        sent++;
        const operation = sent <= operations.length ? operations[sent - 1] : pick(operations); // every operation at least once
        const { path, body } = requestFor(operation);
        const outcome = await send(gateway, operation.method, path, body);
        byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
        if (outcome.status < 400) reached.add(`${operation.method} ${operation.path}`);
        if (outcome.status >= 500 || outcome.status === 0) failures.push(outcome);
      }
    }));
    console.log(`# ${sent} requests in ${((Date.now() - started) / 1000).toFixed(0)} s; ${[...byStatus].sort().map(([k, n]) => `${k}: ${n}`).join(", ")}; ${reached.size} operations answered 2xx at least once`);
    assert.ok(sent >= operations.length, "every operation was tried");
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} requests answered 5xx or broke the connection`);
  });

  test("afterwards every service is ready", async () => {
    for (const entry of catalog) {
      const res = await fetch(`${sys.url(entry.id, "http")}/readyz`);
      assert.equal(res.status, 200, `${entry.id} is not ready`);
    }
  });
});
