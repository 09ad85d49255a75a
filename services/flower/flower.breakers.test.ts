// One failing dependency must not cut off a whole service: with payment down, the gateway keeps
// serving flower-order's reads, passes on PlaceOrder's own "pay later" answer unchanged, and
// orders flow again as soon as payment is back. Every service is a real process.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { OrderService } from "../../gen/flower/v1/order_pb.js";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { eventually, sampleValue, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["flower", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);
const phone = "010-7100-0001";
const order = { flowerId: "1", qty: 1, address: "Seoul", phoneNumber: phone };

let sys: TestSystem;
let gateway: string;
let orders: ReturnType<typeof createClient<typeof OrderService>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function rest(method: string, path: string, body?: unknown) {
  const res = await fetch(gateway + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { "content-type": "application/json" },
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
}

const metrics = async (id: string) => (await fetch(`${sys.url(id, "http")}/metrics`)).text();
const payPath = "/payment.v1.PaymentService/Pay";

describe("breakers (processes): payment down cuts off payments, not flower-order", { timeout: 180_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      // A small threshold (so the old behaviour would have opened the gateway's breaker within
      // the first rounds), a half-open period long enough that waiting one out would show, and
      // a timeout no loaded machine reaches (nothing here waits on a dependency that is down).
      env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "2000", CLIENT_TIMEOUT_MS: "5000", SHUTDOWN_TIMEOUT_MS: "5000" },
      log: "breakers-system",
    });
    gateway = sys.url("gateway", "http");
    orders = createClient(OrderService, createGrpcTransport({ baseUrl: sys.url("gateway") }));
  });
  after(async () => {
    await sys?.stop();
  });

  test("payment down: reads answer 200 every time, PlaceOrder answers its own pay-later with its retry hint; payment back: orders succeed at once", async () => {
    // The first order warms every process up; on a loaded machine it may take a second try.
    const placed = await eventually("a first order", async () => {
      const res = await rest("POST", "/flower/orders", order);
      return res.status === 200 ? res.json : undefined;
    });
    const orderId: string = placed.order.id;

    await sys.launcher.stop("payment");
    const rounds = 10; // 20 refused orders: past any breaker threshold the gateway could hold
    for (let i = 0; i < rounds; i++) {
      const viaRest = await rest("POST", "/flower/orders", order);
      assert.equal(viaRest.status, 503, JSON.stringify(viaRest.json));
      assert.equal(viaRest.json.code, Code.Unavailable);
      assert.match(viaRest.json.message, /payment is unavailable.*please pay later/);
      assert.deepEqual(viaRest.json.details.find((d: Json) => d["@type"].endsWith("RetryInfo")), { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "10s" });

      const viaGrpc = await orders.placeOrder(order).then(() => assert.fail("an order without payment"), (e: unknown) => ConnectError.from(e));
      assert.equal(viaGrpc.code, Code.Unavailable);
      assert.match(viaGrpc.rawMessage, /payment is unavailable.*please pay later/);
      assert.equal(viaGrpc.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds, 10n);

      for (const path of ["/flower/orders?phoneNumber=" + phone, `/flower/orders/${orderId}`, `/flower/orderHistories?orderId=${orderId}`]) {
        const read = await rest("GET", path);
        assert.equal(read.status, 200, `round ${i}, GET ${path}: ${JSON.stringify(read.json)}`);
      }
      assert.equal((await orders.getOrder({ id: orderId })).order?.id, orderId);
    }

    // flower-order's breaker for Pay opened (the hop that failed); the gateway opened none for flower-order.
    assert.equal(sampleValue(await metrics("flower-order"), "mesh_breaker_state", { dependency: "payment", method: payPath }), 2);
    const atGateway = await metrics("gateway");
    assert.equal(sampleValue(atGateway, "mesh_breaker_transitions_total", { dependency: "flower-order", state: "open" }) ?? 0, 0);
    assert.equal(sampleValue(atGateway, "mesh_breaker_state", { dependency: "flower-order", method: "/flower.v1.OrderService/PlaceOrder" }), 0);

    await sys.launcher.start("payment");
    await sys.launcher.waitReady("payment");
    // Generous bound: a half-open probe passes at most BREAKER_HALF_OPEN_MS after the last refusal.
    const readyAt = performance.now();
    let refusedAfterReady = 0;
    const back = await eventually("an order succeeds again through the gateway", async () => {
      const res = await rest("POST", "/flower/orders", order);
      if (res.status === 200) return res.json;
      refusedAfterReady++;
      return undefined;
    }, 15_000);
    console.log(`# payment ready → first order placed after ${refusedAfterReady} refusals, ${Math.round(performance.now() - readyAt)} ms`);
    assert.equal(back.order.status, "ORDER_STATUS_PLACED");
    // Closed again: every following order goes through, over both protocols.
    for (let i = 0; i < 3; i++) {
      assert.equal((await rest("POST", "/flower/orders", order)).status, 200);
      assert.ok((await orders.placeOrder(order)).order?.id);
    }
    assert.equal(sampleValue(await metrics("flower-order"), "mesh_breaker_state", { dependency: "payment", method: payPath }), 0);
  });
});
