// A cancel that reaches the kitchen before its order leaves a cancelled production behind, and
// its ProductCanceled makes the warehouse hold the order's reservation (a tombstone); the kitchen's
// reservation for that order (StockReservationService.Reduce) may come before, during or after.
// Both write the order's one reservation row: they must serialize (never a duplicate key answered
// as INTERNAL), and whatever was taken must come back. Driven against the real processes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ProductionCancelService } from "../../gen/coffee/v1/production_cancel_pb.js";
import { StockService } from "../../gen/coffee/v1/stock_pb.js";
import { StockReservationService } from "../../gen/coffee/v1/stock_reservation_pb.js";
import { newId } from "../../mesh/index.js";
import { eventually, rpcError, sampleValue, startTestSystem, testDialects, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const outcome = (call: Promise<unknown>) => call.then(() => "OK", async () => {
  const e = await rpcError(call);
  return e.code === 9 /* FAILED_PRECONDITION */ && /was cancelled; nothing is taken/.test(e.rawMessage) ? "CANCELED" : `code ${e.code}: ${e.rawMessage}`;
});

for (const dialect of testDialects) describe(`coffee: cancels before their orders racing the warehouse's reservations on ${dialect} (processes)`, { timeout: 120_000 }, () => {
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem({ catalog, root, dialect, ids: ["coffee-product", "coffee-stock"], log: `coffee-races-${dialect}` });
  });
  after(() => sys?.stop());

  test("60 orders cancelled before they reach the kitchen, each reserved from before its cancel to well after: no call fails, every unit taken comes back, a later reservation takes nothing", async () => {
    const cancels = createClient(ProductionCancelService, createGrpcTransport({ baseUrl: sys.url("coffee-product") }));
    const reservations = createClient(StockReservationService, createGrpcTransport({ baseUrl: sys.url("coffee-stock") }));
    const stock = createClient(StockService, createGrpcTransport({ baseUrl: sys.url("coffee-stock") }));
    const units = async () => (await stock.getStock({ productName: "Americano" })).stock!.qty;
    const restored = async () => {
      const text = await (await fetch(`${sys.url("coffee-stock", "http")}/metrics`)).text();
      const count = (outcome: string) => sampleValue(text, "mesh_events_handled_total", { consumer: "coffee-stock-restoreStockWhenProductCanceled", outcome }) ?? 0;
      return { handled: count("handled"), retried: count("retried"), deadLettered: count("dead_lettered") };
    };
    const initial = await units();
    const ids = Array.from({ length: 60 }, () => newId());
    // Cancels 20 ms apart; each order's reservation from 40 ms before its cancel to 0.9 s after it,
    // densest in the first 100 ms, when its ProductCanceled reaches the warehouse and is decided.
    const offsets = [-40, 0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 85, 100, 125, 150, 200, 300, 500, 900];
    const answers = await Promise.all(ids.map(async (orderId, i) => {
      const cancelAt = i * 20 + 40;
      const at = cancelAt + offsets[i % offsets.length];
      const [canceled, reserved] = await Promise.all([
        (async () => {
          await pause(cancelAt);
          return outcome(cancels.cancelProduction({ orderId, reason: "changed my mind", productName: "Americano" }));
        })(),
        (async () => {
          await pause(at);
          return outcome(reservations.reduce({ orderId, productName: "Americano", qty: 1 }));
        })(),
      ]);
      return { canceled, reserved };
    }));
    assert.deepEqual(answers.filter((a) => a.canceled !== "OK"), [], "the kitchen cancels a production it has not seen");
    assert.deepEqual(answers.filter((a) => a.reserved !== "OK" && a.reserved !== "CANCELED"), [], "a reservation is made or refused as cancelled, never an error");
    const taken = answers.filter((a) => a.reserved === "OK").length;
    assert.ok(taken > 0, "some reservations came before their cancel: their units must come back");
    const settled = await eventually("the warehouse handled every ProductCanceled", async () => {
      const r = await restored();
      return r.handled >= ids.length ? r : undefined;
    });
    console.log(`# ${dialect}: ${taken} reserved before the cancel reached the warehouse, ${ids.length - taken} refused; restore policy ${JSON.stringify(settled)}`);
    assert.equal(settled.deadLettered, 0);
    assert.equal(await units(), initial, "every unit taken for a cancelled order is back");
    for (const orderId of ids) assert.equal(await outcome(reservations.reduce({ orderId, productName: "Americano", qty: 1 })), "CANCELED", `order ${orderId}`);
    assert.equal(await units(), initial, "and a later reservation takes nothing");
  });
});
