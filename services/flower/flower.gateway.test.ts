// The flower system through the gateway: the flower, payment and notification services and the gateway as real
// processes, called as users do, over HTTP/1.1 REST (the seeds' paths), Connect and gRPC-Web.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hasOption } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { OrderService } from "../../gen/flower/v1/order_pb.js";
import { http } from "../../gen/google/api/annotations_pb.js";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { eventually, sampleValue, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["flower", "payment", "notification", "gateway"].includes(e.system)).map((e) => e.id);

let sys: TestSystem;
let gateway: string;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** RPCs reached over REST in this file, by "Service.Method": the last test checks every annotated one was. */
const reached = new Set<string>();

async function rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(gateway + path, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Json };
}

/** A REST call that must succeed, recorded as reaching `rpc`. */
async function ok(rpc: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await rest(method, path, body);
  assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(res.json)}`);
  reached.add(rpc);
  return res.json;
}

describe("gateway (processes)", { timeout: 180_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "500", CLIENT_TIMEOUT_MS: "1500", SHUTDOWN_TIMEOUT_MS: "5000" },
      log: "gateway-system",
    });
    gateway = sys.url("gateway", "http");
  });
  after(async () => {
    await sys?.stop();
  });

  test("the seeds' flower scenario over REST through the gateway, every step by its seed path", async () => {
    // The store owner adds a flower and sets its stock.
    const added = await ok("StoreService.AddFlower", "POST", "/flower/stores", { name: "Peony", price: { amount: "7000", currency: "KRW" }, stock: 3 });
    const flowerId: string = added.flower.id;
    assert.equal((await ok("StoreService.ChangeStock", "PUT", `/flower/stores/${flowerId}/stock`, { stock: 10 })).flower.stock, 10);
    assert.equal((await ok("StoreService.GetFlower", "GET", `/flower/stores/${flowerId}`)).flower.name, "Peony");
    assert.ok((await ok("StoreService.ListFlowers", "GET", "/flower/stores")).flowers.some((f: Json) => f.id === flowerId));

    // The seed's own command, prefix added: `http POST :8088/flower/orders flowerId=... qty=2 ...` sends every value as a string.
    const placed = await ok("OrderService.PlaceOrder", "POST", "/flower/orders", { flowerId, qty: "2", address: "Seoul", phoneNumber: "010-7000-0001" });
    const orderId: string = placed.order.id;
    assert.equal(placed.order.status, "ORDER_STATUS_PLACED");
    assert.deepEqual(placed.order.amount, { amount: "14000", currency: "KRW" });
    assert.equal((await ok("OrderService.GetOrder", "GET", `/flower/orders/${orderId}`)).order.id, orderId);
    assert.equal((await ok("OrderService.ListOrders", "GET", "/flower/orders?phoneNumber=010-7000-0001")).orders.length, 1);

    const history = await eventually("delivery started in the order history", async () => {
      const h = (await ok("OrderService.ListOrderHistories", "GET", `/flower/orderHistories?orderId=${orderId}`)).orderHistories[0];
      return h?.deliveryStatus === "DELIVERY_STATUS_STARTED" ? h : undefined;
    });
    assert.deepEqual(history.steps.map((s: Json) => s.event).sort(), ["DeliveryStarted", "FlowerWrapped", "OrderPlaced", "PaymentApproved"]);
    assert.ok((await ok("StoreService.ListStoreOrders", "GET", "/flower/storeOrders?status=STORE_ORDER_STATUS_WRAPPED")).storeOrders
      .some((o: Json) => o.orderId === orderId));

    const [delivery] = (await ok("DeliveryService.ListDeliveries", "GET", `/flower/deliveries?orderId=${orderId}`)).deliveries;
    assert.equal((await ok("DeliveryService.GetDelivery", "GET", `/flower/deliveries/${delivery.id}`)).delivery.orderId, orderId);
    assert.equal((await ok("DeliveryService.CompleteDelivery", "PUT", `/flower/deliveries/${delivery.id}/complete`)).delivery.status, "DELIVERY_STATUS_COMPLETED");

    const [payment] = (await ok("PaymentService.ListPayments", "GET", `/payments?system=flower&referenceId=${orderId}`)).payments;
    assert.equal((await ok("PaymentService.GetPayment", "GET", `/payments/${payment.id}`)).payment.status, "PAYMENT_STATUS_APPROVED");
    await eventually("a notification for each step", async () => {
      const list = (await ok("NotificationService.ListNotifications", "GET", `/notifications?referenceId=${orderId}`)).notifications;
      return list.length >= 3 ? list : undefined;
    });
  });

  test("refused commands are 412 with the reason; cancelling an online order refunds it through payment", async () => {
    const pickUp = await ok("OrderService.PlaceOrder", "POST", "/flower/orders", { flowerId: "2", qty: 1, isOffline: true, phoneNumber: "010-7000-0002" });
    const pickUpId: string = pickUp.order.id;
    const wrap = await eventually("the store order exists", async () => {
      const res = await rest("PUT", `/flower/stores/${pickUpId}/wrap`);
      return res.status === 404 ? undefined : res;
    });
    reached.add("StoreService.WrapFlowers");
    assert.equal(wrap.status, 412);
    assert.equal(wrap.json.code, Code.FailedPrecondition);
    assert.match(wrap.json.message, /pick-up order/);
    assert.equal(wrap.json.details.find((d: Json) => d["@type"].endsWith("ErrorInfo")).reason, "PICK_UP_ORDER");
    // Once the order has heard it was sold, a cancel is refused at once (before that, the store would refuse it).
    await eventually("the order knows it was sold", async () => ((await rest("GET", `/flower/orders/${pickUpId}`)).json.order?.status === "ORDER_STATUS_SOLD" ? true : undefined));
    const sold = await rest("PUT", `/flower/orders/${pickUpId}/cancelorder`, {});
    assert.deepEqual([sold.status, sold.json.details[0].violations[0].type], [412, "ORDER_SOLD"]);

    const online = await ok("OrderService.PlaceOrder", "POST", "/flower/orders", { flowerId: "3", qty: 1, address: "Busan", phoneNumber: "010-7000-0004" });
    const cancelled = await ok("OrderService.CancelOrder", "PUT", `/flower/orders/${online.order.id}/cancelorder`, { reason: "changed my mind" });
    assert.notEqual(cancelled.order.status, "ORDER_STATUS_CANCELLED", "a request: the courier decides");
    assert.ok(cancelled.order.cancelRequestedAt);
    await eventually("the courier confirms: cancelled", async () =>
      ((await rest("GET", `/flower/orders/${online.order.id}`)).json.order?.status === "ORDER_STATUS_CANCELLED" ? true : undefined));
    await eventually("the payment refunded", async () => {
      const [p] = (await ok("PaymentService.ListPayments", "GET", `/payments?system=flower&referenceId=${online.order.id}`)).payments;
      return p?.status === "PAYMENT_STATUS_CANCELLED" ? p : undefined;
    });
  });

  test("payment's own REST paths: pay, then cancel, idempotently", async () => {
    const pay = { system: "flower", referenceId: "gw-ref-1", amount: { amount: "5000", currency: "KRW" }, method: "card" };
    const paid = await ok("PaymentService.Pay", "POST", "/payments", pay);
    assert.equal(paid.payment.status, "PAYMENT_STATUS_APPROVED");
    assert.equal((await ok("PaymentService.Pay", "POST", "/payments", pay)).payment.id, paid.payment.id, "paying twice returns the first result");
    const refund = await ok("PaymentService.Cancel", "POST", "/payments/flower/gw-ref-1/cancel", { reason: "test" });
    assert.equal(refund.payment.status, "PAYMENT_STATUS_CANCELLED");
  });

  test("errors keep their meaning through the gateway: 400 naming the field, 404, malformed JSON, 415, 413, unknown path", async () => {
    const bad = await rest("POST", "/flower/orders", { flowerId: "1", qty: 0, address: "Seoul", phoneNumber: "010-7000-0003" });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.details[0].fieldViolations, [{ field: "qty", description: "must be between 1 and 1000" }]);
    const typo = await rest("POST", "/flower/orders", { flowerID: "1" });
    assert.deepEqual([typo.status, typo.json.details[0].fieldViolations[0].field], [400, "flowerID"]);
    const missing = await rest("GET", "/flower/orders/no-such-order");
    assert.deepEqual([missing.status, missing.json.code, missing.json.message], [404, Code.NotFound, 'order "no-such-order" not found']);
    const malformed = await rest("POST", "/flower/orders", '{"flowerId": "1",}');
    assert.deepEqual([malformed.status, malformed.json.message], [400, 'the body is not valid JSON: unexpected "}" at line 1, column 18']);
    const form = await rest("POST", "/flower/orders", "flowerId=1", { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(form.status, 415);
    const huge = await rest("POST", "/flower/orders", { address: "x".repeat(5 << 20) });
    assert.equal(huge.status, 413);
    const nowhere = await rest("GET", "/flower/nowhere");
    assert.deepEqual([nowhere.status, nowhere.json.message], [404, "no route for GET /flower/nowhere"]);
  });

  test("Connect and gRPC-Web clients reach the services through the gateway, with the correlation id kept", async () => {
    for (const transport of [createConnectTransport({ baseUrl: gateway, httpVersion: "1.1" }), createGrpcWebTransport({ baseUrl: gateway, httpVersion: "1.1" })]) {
      const store = createClient(StoreService, transport);
      let correlation: string | null = null;
      const { flower } = await store.getFlower({ id: "1" }, { headers: { "x-correlation-id": "gw-corr-1" }, onHeader: (h) => (correlation = h.get("x-correlation-id")) });
      assert.equal(flower!.id, "1");
      assert.equal(correlation, "gw-corr-1");
      const err = await createClient(OrderService, transport).getOrder({ id: "nope" }).then(() => assert.fail("expected NotFound"), (e) => ConnectError.from(e));
      assert.equal(err.code, Code.NotFound);
    }
    const res = await rest("GET", "/flower/stores/1", undefined, { "x-correlation-id": "gw-corr-2" });
    assert.equal(res.headers.get("x-correlation-id"), "gw-corr-2");
  });

  test("reflection on the gateway's gRPC port lists every service it routes (buf curl, as grpcurl would ask)", async () => {
    const buf = join(root, "node_modules/.bin/buf");
    const expected = catalog.find((e) => e.id === "gateway")!.serves.map((s) => s.typeName)
      .concat("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection").sort();
    for (const protocol of ["grpc-v1", "grpc-v1alpha"]) {
      const { stdout } = await promisify(execFile)(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-protocol", protocol, "--list-services", sys.url("gateway")]);
      assert.deepEqual(stdout.trim().split("\n").sort(), expected, protocol);
    }
  });

  test("CORS: a browser on another origin may call the gateway", async () => {
    const preflight = await rest("OPTIONS", "/flower/orders", undefined, { origin: "http://localhost:5173", "access-control-request-method": "POST" });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    const res = await rest("GET", "/flower/stores/1", undefined, { origin: "http://localhost:5173" });
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.match(res.headers.get("access-control-expose-headers") ?? "", /x-correlation-id/);
  });

  test("the gateway serves the OpenAPI document written by npm run generate", async () => {
    const served = await rest("GET", "/openapi.json");
    assert.equal(served.status, 200);
    assert.deepEqual(served.json, JSON.parse(readFileSync(join(root, "docs/openapi.json"), "utf8")));
  });

  test("a service that is down answers 503 at once, naming it; the others still answer; it comes back", async () => {
    await sys.launcher.stop("flower-store");
    // 503 from a refused connection, not 504 from waiting out CLIENT_TIMEOUT_MS: it does not hang.
    const down = await rest("GET", "/flower/stores/1");
    assert.equal(down.status, 503);
    assert.equal(down.json.message, "flower-store is unavailable; try again shortly");
    assert.equal((await rest("GET", "/flower/orders?phoneNumber=010-7000-0001")).status, 200, "other services are not affected");
    // Past BREAKER_THRESHOLD failures the gateway's breaker opens: further calls fail without trying the network.
    for (let i = 0; i < 4; i++) assert.equal((await rest("GET", "/flower/stores/1")).status, 503);
    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    assert.ok((sampleValue(metrics, "mesh_breaker_transitions_total", { dependency: "flower-store", state: "open" }) ?? 0) >= 1, "the breaker opened");

    await sys.launcher.start("flower-store");
    await sys.launcher.waitReady("flower-store");
    await eventually("flower-store answers through the gateway again", async () => ((await rest("GET", "/flower/stores/1")).status === 200 ? true : undefined));
  });

  test("every annotated RPC of the flower, payment and notification services was reached over REST", () => {
    const annotated = catalog
      .filter((e) => ["flower", "payment", "notification"].includes(e.system))
      .flatMap((e) => e.serves.flatMap((s) => s.methods.filter((m) => hasOption(m, http)).map((m) => `${s.name}.${m.name}`)));
    assert.deepEqual([...reached].sort(), [...annotated].sort());
  });
});
