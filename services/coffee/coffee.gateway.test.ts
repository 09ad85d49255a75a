// The seed's own commands through the gateway over REST, exactly as httpie sends them (qty=1 is the
// JSON string "1"; statuses in the seed's short form), and the seed's fault-isolation checkpoints:
// temporal decoupling with the kitchen stopped, and the kitchen's synchronous stock reservation
// through its breaker with the warehouse stopped. The kitchen starts and makes orders itself here.
// The saga's steps between coffee's own services (the kitchen's cancel, the warehouse's
// reservation) are internal services: no client reaches them through the gateway.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ProductService } from "../../gen/coffee/v1/product_pb.js";
import { ProductionCancelService } from "../../gen/coffee/v1/production_cancel_pb.js";
import { StockService } from "../../gen/coffee/v1/stock_pb.js";
import { StockReservationService } from "../../gen/coffee/v1/stock_reservation_pb.js";
import { newId } from "../../mesh/index.js";
import { codeOf, eventually, isInternal, sampleValue, testDialects } from "../../mesh/testing/index.js";
import { startCoffee, type Coffee } from "./coffee-fixtures.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const dialect of testDialects) describe(`coffee through the gateway on ${dialect} (processes)`, { timeout: 180_000 }, () => {
  let c: Coffee;
  let gateway: string;
  // httpie: `http METHOD :8088/path a=b` sends {"a":"b"} as JSON.
  const http = async (method: string, path: string, body?: Record<string, string> | string | Uint8Array<ArrayBuffer>) => {
    const payload = body === undefined ? undefined : typeof body === "object" && !(body instanceof Uint8Array) ? JSON.stringify(body) : body;
    const res = await fetch(gateway + path, { method, body: payload instanceof Uint8Array ? new Blob([payload]) : payload, headers: payload === undefined ? {} : { "content-type": "application/json" } });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
  };
  const statusOf = async (id: string) => (await http("GET", `/coffee/orders/${id}`)).json.order.status as string;
  const order = async (productName: string) => {
    const res = await http("POST", "/coffee/orders", { productName, qty: "1" });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return res.json.order.id as string;
  };

  // A service stopped by a test, started again (and ready) before the next one runs.
  const down = new Set<string>();
  const stop = async (id: string) => {
    down.add(id);
    await c.sys.launcher.stop(id);
  };
  const restart = async (id: string) => {
    down.delete(id);
    await c.sys.launcher.start(id);
    await c.sys.launcher.waitReady(id);
  };

  before(async () => {
    c = await startCoffee({ name: `gateway-${dialect}`, dialect, gateway: true, kitchen: "auto" });
    gateway = c.sys.url("gateway", "http");
  });
  after(async () => {
    await c?.sys.stop();
  });

  test("the seed's commands: order, look it up, PATCH Canceled refused once made, my page", async () => {
    const placed = await http("POST", "/coffee/orders", { productName: "Americano", qty: "1" });
    assert.equal(placed.status, 200);
    assert.equal(placed.json.order.status, "ORDER_STATUS_REQUESTED");
    const id = placed.json.order.id as string;
    await eventually("completed", async () => (await statusOf(id)) === "ORDER_STATUS_COMPLETED" || undefined);
    const patched = await http("PATCH", `/coffee/orders/${id}`, { status: "Canceled" });
    assert.equal(patched.status, 412, JSON.stringify(patched.json));
    assert.match(patched.json.message, /production has already started/);
    const other = await http("PATCH", `/coffee/orders/${id}`, { status: "Completed" });
    assert.equal(other.status, 400);
    assert.match(other.json.message, /status: only Canceled/);
    const pages = await http("GET", "/coffee/mypages");
    assert.equal(pages.status, 200);
    const mine = (pages.json.myPages as Json[]).find((p) => p.orderId === id)!;
    assert.equal(mine.status, "ORDER_STATUS_COMPLETED");
    assert.ok((mine.steps as Json[]).some((s) => s.event === "Produced"));
    assert.equal((await http("GET", "/coffee/stocks")).status, 200);
  });

  // Before the tests that stop services: the gateway's channels are all fresh here.
  test("the internal steps (ProductionCancelService.CancelProduction, StockReservationService.Reduce) are not reachable through the gateway, over REST nor gRPC; the public services are", async () => {
    assert.ok(isInternal(ProductionCancelService) && isInternal(StockReservationService));
    assert.ok(!isInternal(ProductService) && !isInternal(StockService));
    const orderId = newId();
    // REST: their old paths lead to no RPC. Each has the shape of GET /coffee/productions/{id} or
    // /coffee/stocks/{productName}, so a POST is 405 (only GET there), a GET looks up "cancel" / "reduce".
    for (const path of ["/coffee/productions/cancel", "/coffee/stocks/reduce"]) {
      const res = await http("POST", path, { orderId, productName: "Americano", qty: "1" });
      assert.equal(res.status, 405, `POST ${path}: ${JSON.stringify(res.json)}`);
      assert.match(res.json.message, /POST is not allowed .*; use GET$/);
      assert.equal((await http("GET", path)).status, 404);
    }
    // Nor over the Connect protocol on the gateway's HTTP port, where the public ones answer.
    assert.equal((await http("POST", "/coffee.v1.StockReservationService/Reduce", { orderId, productName: "Americano", qty: "1" })).status, 404);
    assert.equal((await http("POST", "/coffee.v1.ProductionCancelService/CancelProduction", { orderId, productName: "Americano" })).status, 404);
    assert.equal((await http("POST", "/coffee.v1.StockService/GetStock", { productName: "Americano" })).status, 200);
    const openapi = JSON.parse(await readFile(new URL("../../docs/openapi.json", import.meta.url), "utf8"));
    assert.ok(!("/coffee/productions/cancel" in openapi.paths) && !("/coffee/stocks/reduce" in openapi.paths));
    assert.doesNotMatch(JSON.stringify(openapi), /ProductionCancelService|StockReservationService/);
    // gRPC on the gateway's port: the internal services are not there.
    const viaGateway = createGrpcTransport({ baseUrl: c.sys.url("gateway") });
    assert.equal(await codeOf(createClient(ProductionCancelService, viaGateway).cancelProduction({ orderId, productName: "Americano" })), "Unimplemented");
    assert.equal(await codeOf(createClient(StockReservationService, viaGateway).reduce({ orderId, productName: "Americano", qty: 1 })), "Unimplemented");
    // Nothing happened: no production was cancelled, no stock taken for the order.
    assert.equal((await c.kitchen.listProductions({ orderId })).productions.length, 0);
    // The public ones, over both.
    assert.equal((await http("GET", `/coffee/productions?orderId=${orderId}`)).status, 200);
    assert.equal((await http("GET", "/coffee/stocks/Americano")).status, 200);
    assert.equal(await codeOf(createClient(ProductService, viaGateway).listProductions({ orderId })), "OK");
    assert.equal(await codeOf(createClient(StockService, viaGateway).getStock({ productName: "Americano" })), "OK");
    // Their callers do reach them, over the mesh at the serving process.
    assert.equal((await c.cancels.cancelProduction({ orderId, productName: "Americano" })).production!.orderId, orderId);
    // Cancelled first: once the warehouse has heard, a reservation for the order is refused (anything taken before that goes back).
    await eventually("the reservation refused as cancelled", async () => (await codeOf(c.reservations.reduce({ orderId, productName: "Americano", qty: 1 }))) === "FailedPrecondition" || undefined);
  });

  test("temporal decoupling: with coffee-product stopped orders are taken and stay Requested; back, they complete on their own", async () => {
    await stop("coffee-product");
    try {
      const ids = [await order("Latte"), await order("Latte"), await order("Latte")];
      for (const id of ids) assert.equal(await statusOf(id), "ORDER_STATUS_REQUESTED");
      await eventually("my page shows them Requested", async () => {
        const rows = (await http("GET", "/coffee/mypages")).json.myPages as Json[];
        return ids.every((id) => rows.some((r) => r.orderId === id && r.status === "ORDER_STATUS_REQUESTED")) || undefined;
      });
      // Cancelling needs the kitchen's word: a clear 503 with a retry hint, nothing cancelled.
      const cancel = await http("PATCH", `/coffee/orders/${ids[0]}`, { status: "Canceled" });
      assert.equal(cancel.status, 503);
      assert.equal(await statusOf(ids[0]), "ORDER_STATUS_REQUESTED");
      await restart("coffee-product");
      await eventually("all completed", async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "ORDER_STATUS_COMPLETED") || undefined, 30_000);
    } finally {
      if (down.has("coffee-product")) await restart("coffee-product");
    }
  });

  test("the kitchen reserves through its breaker: with coffee-stock stopped it opens, orders wait Requested and can still be cancelled; stock back, the rest complete and only they took stock", async () => {
    const before = await c.stockOf("Cappuccino");
    await stop("coffee-stock");
    try {
      const ids = [await order("Cappuccino"), await order("Cappuccino"), await order("Cappuccino"), await order("Cappuccino")];
      const reducePath = "/coffee.v1.StockReservationService/Reduce";
      await eventually("the kitchen's breaker to the warehouse opens", async () => {
        const text = await (await fetch(`${c.sys.url("coffee-product", "http")}/metrics`)).text();
        return sampleValue(text, "mesh_breaker_state", { dependency: "coffee-stock", method: reducePath }) === 2 || undefined;
      }, 30_000);
      for (const id of ids) assert.equal(await statusOf(id), "ORDER_STATUS_REQUESTED");
      // Not started: the seed's PATCH cancels it (the kitchen answers; it is the warehouse that is down).
      // A 503 (order's channel to a kitchen restarted by the test before still reconnecting) cancels nothing and says retry: so does this client.
      const canceled = await eventually("the PATCH answered", async () => {
        const res = await http("PATCH", `/coffee/orders/${ids[0]}`, { status: "Canceled" });
        return res.status === 503 ? undefined : res;
      });
      assert.equal(canceled.status, 200, JSON.stringify(canceled.json));
      assert.equal(canceled.json.order.status, "ORDER_STATUS_CANCELED");
      await restart("coffee-stock");
      await eventually("the others completed", async () => (await Promise.all(ids.slice(1).map(statusOf))).every((s) => s === "ORDER_STATUS_COMPLETED") || undefined, 30_000);
      assert.equal(await statusOf(ids[0]), "ORDER_STATUS_CANCELED");
      await c.payment(ids[0], (p) => p.status === 3 /* CANCELLED */, "refunded");
      assert.equal(await c.stockOf("Cappuccino"), before - 3);
    } finally {
      if (down.has("coffee-stock")) await restart("coffee-stock");
    }
  });

  test("hostile bodies: non-UTF-8 and oversized fields are 400 naming what is wrong, never 5xx", async () => {
    const bytes = await http("POST", "/coffee/orders", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    assert.equal(bytes.status, 400);
    const long = await http("POST", "/coffee/orders", { productName: "A".repeat(10_000), qty: "1" });
    assert.equal(long.status, 400);
    assert.match(long.json.message, /productName/);
    const qty = await http("POST", "/coffee/orders", { productName: "Americano", qty: "many" });
    assert.equal(qty.status, 400);
    assert.match(qty.json.message, /qty/);
    assert.equal((await http("GET", "/coffee/orders/nope")).status, 404);
  });
});
