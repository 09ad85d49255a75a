// Hostile input at the edge: thousands of mutated requests, from a seeded PRNG (FUZZ_SEED=<n> replays a
// run), against the flower system as processes: REST through the gateway and to flower-order directly,
// Connect (JSON and application/proto), and gRPC as raw HTTP/2 frames (cut short, flagged compressed,
// lengths that lie, strings that are not UTF-8), with ids and traceparents no caller should send.
// Nothing may answer 5xx or INTERNAL/UNKNOWN/DATA_LOSS; afterwards every service is ready and an order goes through.
import assert from "node:assert/strict";
import * as http from "node:http";
import * as http2 from "node:http2";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { GetOrderRequestSchema, ListOrdersRequestSchema, PlaceOrderRequestSchema } from "../../gen/flower/v1/order_pb.js";
import { GetFlowerRequestSchema } from "../../gen/flower/v1/store_pb.js";
import { seededRandom, startTestSystem, testDatabaseUrl, testDialects, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["flower", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
const budgetMs = Number(process.env.FUZZ_MS ?? 25_000);
const maxRequests = Number(process.env.FUZZ_REQUESTS ?? 4000);

const { seed, int, pick, chance } = seededRandom("FUZZ_SEED");

const hostileIds = ["a\tb", "caf\u00e9", "x".repeat(300), "id with spaces", "\u00ff\u00fe", "a,b", "", "../../etc", "ok-id-1", "\"quoted\""];
const hostileTraceparents = ["00-zz", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-" + "0".repeat(32) + "-b7ad6b7169203331-01", "\t", "x".repeat(500)];
const weirdValues: unknown[] = [
  null, true, -1, 0, 2 ** 31, -(2 ** 53), 1e308, 1.5, "", "x".repeat(300), "\u0000", "\ud800", "010-1234-5678", "<script>", [], [1, "a"], {}, { amount: "x" }, "NaN", "1e3",
];
const fieldNames = ["flowerId", "qty", "address", "phoneNumber", "isOffline", "paymentMethod", "id", "reason", "orderId", "status", "name", "price", "stock", "flower_id", "colour", "__proto__"];

function hostileHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  if (chance(0.5)) h["x-correlation-id"] = pick(hostileIds);
  if (chance(0.4)) h["x-causation-id"] = pick(hostileIds);
  if (chance(0.3)) h.traceparent = pick(hostileTraceparents);
  return h;
}

function mutateJson(): string {
  const body: Record<string, unknown> = { flowerId: pick(["1", "2", "3", "999", ""]), qty: 1 + int(3), address: "Seoul", phoneNumber: `010-9${int(10)}00-${1000 + int(9000)}` };
  for (let i = int(4); i > 0; i--) body[pick(fieldNames)] = pick(weirdValues);
  let text = JSON.stringify(body);
  if (chance(0.3)) text = mutateBytes(Buffer.from(text)).toString("latin1");
  return text;
}

function mutateBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 1 + int(4); i > 0 && out.length > 0; i--) {
    const at = int(out.length);
    switch (int(4)) {
      case 0: out[at] = int(256); break;
      case 1: out[at] = pick([0xc3, 0xff, 0x80, 0xed]); break; // bytes that break UTF-8
      case 2: return Buffer.concat([out.subarray(0, at), Buffer.from([int(256), int(256)]), out.subarray(at)]);
      case 3: return out.subarray(0, at);
    }
  }
  return out;
}

const messages: Array<[string, DescMessage, unknown]> = [
  ["/flower.v1.OrderService/PlaceOrder", PlaceOrderRequestSchema, { flowerId: "1", qty: 1, address: "Seoul", phoneNumber: "010-9999-0000" }],
  ["/flower.v1.OrderService/GetOrder", GetOrderRequestSchema, { id: "o-1" }],
  ["/flower.v1.OrderService/ListOrders", ListOrdersRequestSchema, { phoneNumber: "010-9999-0000" }],
  ["/flower.v1.StoreService/GetFlower", GetFlowerRequestSchema, { id: "1" }],
];

function protoPayload(desc: DescMessage, init: unknown): Buffer {
  const valid = Buffer.from(toBinary(desc, create(desc, init as never)));
  if (chance(0.2)) return Buffer.from(Array.from({ length: int(40) }, () => int(256)));
  // A string field that is not UTF-8: field 1, length 2, 0xc3 0x28.
  if (chance(0.2)) return Buffer.concat([valid, Buffer.from([0x0a, 0x02, 0xc3, 0x28])]);
  return chance(0.5) ? mutateBytes(valid) : valid;
}

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = chance(0.15) ? pick([1, 7, 0x80]) : 0;
  head.writeUInt32BE(chance(0.15) ? pick([payload.length + 10, 0x7fffffff, 0]) : payload.length, 1);
  const whole = Buffer.concat([head, payload]);
  return chance(0.1) ? whole.subarray(0, int(whole.length)) : whole;
}

type Outcome = { what: string; status: number; grpcStatus?: string; body: string };

function httpRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Outcome> {
  const url = new URL(path, base);
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request(url, { method, headers, agent: keepAlive }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ what: `${method} ${base}${path}`, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 300) }));
        res.on("error", () => resolve({ what: method + path, status: 0, body: "response error" }));
      });
    } catch {
      return resolve({ what: "not sendable", status: 0, body: "" }); // node refused the header itself
    }
    req.on("error", (e) => resolve({ what: `${method} ${path}`, status: 0, body: `client error ${e.message}` }));
    req.end(body);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });

function h2Request(base: string, path: string, headers: Record<string, string>, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const session = http2.connect(base);
    session.on("error", () => undefined);
    const done = (o: Outcome) => (session.close(), resolve(o));
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request({ ":method": "POST", ":path": path, ...headers });
    } catch {
      return done({ what: "not sendable", status: 0, body: "" });
    }
    const seen: Record<string, unknown> = {};
    let data = Buffer.alloc(0);
    req.on("response", (h) => Object.assign(seen, h));
    req.on("trailers", (t) => Object.assign(seen, t));
    req.on("data", (d: Buffer) => (data = Buffer.concat([data, d])));
    req.on("error", () => undefined);
    req.on("close", () => {
      // gRPC-Web and Connect streaming would carry the status in the body; these are gRPC and unary Connect.
      done({ what: `h2 ${base}${path} ${headers["content-type"]}`, status: Number(seen[":status"] ?? 0), grpcStatus: seen["grpc-status"] as string | undefined, body: `${decodeURIComponent(String(seen["grpc-message"] ?? ""))} ${data.toString("utf8").slice(0, 200)}` });
    });
    req.end(body);
  });
}

let sys: TestSystem;
let drops: Array<() => Promise<void>> = [];

describe("hostile input (processes)", { timeout: 240_000 }, () => {
  before(async () => {
    // flower-order on MySQL when this machine's tests use it: its columns have lengths to overflow.
    const serviceEnv: Record<string, Record<string, string>> = {};
    if (testDialects.includes("mysql")) {
      const db = await testDatabaseUrl("mysql");
      drops.push(db.drop);
      serviceEnv["flower-order"] = { DATABASE_URL: db.url };
    }
    sys = await startTestSystem({
      catalog, root, ids, serviceEnv,
      env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "5000", CLIENT_TIMEOUT_MS: "5000" },
      log: "flower-fuzz",
    });
  });
  after(async () => {
    keepAlive.destroy();
    await sys?.stop();
    for (const drop of drops) await drop().catch(() => undefined);
    drops = [];
    console.log(`# fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  });

  test(`thousands of mutated requests: no 5xx, no INTERNAL/UNKNOWN/DATA_LOSS (seed ${seed})`, async () => {
    const gatewayHttp = sys.url("gateway", "http");
    const orderHttp = sys.url("flower-order", "http");
    const grpcPorts = [sys.url("gateway", "grpc"), sys.url("flower-order", "grpc"), gatewayHttp];
    const restPaths = ["/flower/orders", `/flower/orders/${pick(["x", "%00", "%ff%fe", "a".repeat(300)])}`, "/flower/orderHistories", "/flower/stores", "/flower/stores/1", "/flower/storeOrders", "/flower/deliveries"];
    const queries = ["", "?status=NOPE", "?status=1", "?phoneNumber=%ff", "?qty=abc", "?orderId=" + "x".repeat(300), "?colour=red", "?pageSize=-1", "?status=STORE_ORDER_STATUS_WRAPPED&status=2"];

    const one = (): Promise<Outcome> => {
      const headers = hostileHeaders();
      switch (int(5)) {
        case 0: // REST through the gateway or straight to flower-order
        case 1: {
          const base = chance(0.6) ? gatewayHttp : orderHttp;
          const method = pick(["GET", "POST", "PUT", "DELETE"]);
          const path = pick(restPaths) + pick(queries);
          const body = method === "POST" || method === "PUT" ? mutateJson() : undefined;
          const type = chance(0.9) ? "application/json" : pick(["text/plain", "application/json; charset=latin1", "application/x-www-form-urlencoded"]);
          return httpRequest(base, method, path, body === undefined ? headers : { ...headers, "content-type": type }, body === undefined ? undefined : Buffer.from(body, "latin1"));
        }
        case 2: { // Connect, JSON or binary
          const [path, desc, init] = pick(messages);
          const binary = chance(0.5);
          const body = binary ? protoPayload(desc, init) : Buffer.from(mutateJson(), "latin1");
          const extra: Record<string, string> = chance(0.1) ? { "content-encoding": "gzip" } : {};
          return httpRequest(gatewayHttp, "POST", path, { ...headers, ...extra, "content-type": binary ? "application/proto" : "application/json" }, body);
        }
        default: { // gRPC as raw frames to the gateway's two ports and to flower-order's gRPC port
          const [path, desc, init] = pick(messages);
          const extra: Record<string, string> = chance(0.1) ? { "grpc-encoding": "gzip" } : chance(0.05) ? { "grpc-timeout": "soon" } : {};
          return h2Request(pick(grpcPorts), path, { ...headers, ...extra, "content-type": "application/grpc", te: "trailers" }, frame(protoPayload(desc, init)));
        }
      }
    };

    const started = Date.now();
    const bad: Outcome[] = [];
    const byStatus = new Map<string, number>();
    let sent = 0;
    const worker = async () => {
      while (sent < maxRequests && Date.now() - started < budgetMs) {
        sent++;
        const o = await one();
        const key = o.grpcStatus !== undefined ? `grpc ${o.grpcStatus}` : `http ${o.status}`;
        byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
        const serverFailed = o.grpcStatus !== undefined ? ["2", "13", "15"].includes(o.grpcStatus) : o.status >= 500;
        if (serverFailed) bad.push(o);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`# fuzz: ${sent} requests in ${seconds} s; ${[...byStatus].sort().map(([k, n]) => `${k}: ${n}`).join(", ")}`);
    assert.ok(sent >= 1000, `only ${sent} requests were sent`);
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} requests answered as a server failure (seed ${seed})`);
  });

  test("afterwards every service is ready and a normal order goes through", async () => {
    for (const id of ids) {
      const res = await fetch(`${sys.url(id, "http")}/readyz`);
      assert.equal(res.status, 200, `${id} not ready: ${await res.text()}`);
    }
    const gateway = sys.url("gateway", "http");
    const post = async (path: string, body: unknown) => {
      const res = await fetch(gateway + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    // A flower of its own: the fuzzing may have sold the demo catalogue out.
    const added = await post("/flower/stores", { name: "Freesia", price: { amount: "3000", currency: "KRW" }, stock: 5 });
    assert.equal(added.status, 200, JSON.stringify(added.json));
    const placed = await post("/flower/orders", { flowerId: added.json.flower.id, qty: 1, address: "Seoul", phoneNumber: "010-4242-0001" });
    assert.equal(placed.status, 200, JSON.stringify(placed.json));
    assert.equal(placed.json.order.status, "ORDER_STATUS_PLACED");
  });
});
