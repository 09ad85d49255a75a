import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRefusal } from "../../../mesh/kernel/index.js";
import { addStock, initialStock, reduce, restore, type StockDecision } from "./domain.js";

const now = new Date("2024-01-01T00:00:00Z");
const americano = initialStock("Americano", 100, now);
const order = { orderId: "o1", productName: "Americano", qty: 3 };

describe("coffee warehouse domain", () => {
  test("reduce takes qty once per order; a retry takes nothing more", () => {
    const d = reduce(americano, undefined, order, now) as StockDecision;
    assert.equal(d.stock!.qty, 97);
    assert.deepEqual(d.events.map((e) => e.type), ["StockReduced"]);
    assert.deepEqual(reduce(d.stock, d.reservation, order, now), { events: [] });
  });

  test("not enough stock, or an item not stocked: refused, nothing taken", () => {
    const short = reduce({ ...americano, qty: 2 }, undefined, order, now);
    assert.ok(isRefusal(short) && short.code === "OUT_OF_STOCK" && /2 Americano left, 3 needed/.test(short.refused));
    const none = reduce(undefined, undefined, order, now);
    assert.ok(isRefusal(none) && none.code === "NOT_STOCKED");
  });

  test("a cancelled production gives its units back once; cancelled before reducing, a late reduce takes nothing", () => {
    const d = reduce(americano, undefined, order, now) as StockDecision;
    const back = restore(d.stock, d.reservation, order, now);
    assert.equal(back.stock!.qty, 100);
    assert.deepEqual(restore(back.stock, back.reservation, order, now).events, []);
    const tomb = restore(americano, undefined, order, now);
    const late = reduce(americano, tomb.reservation, order, now);
    assert.ok(isRefusal(late) && late.code === "PRODUCTION_CANCELED");
  });

  test("the stock manager's receipt raises stock, from 0 for a new item", () => {
    const added = addStock(americano, "Americano", 50, now);
    assert.ok(!isRefusal(added) && added.state.qty === 150 && added.events[0].type === "StockAdded");
    const fresh = addStock(undefined, "Oat milk", 5, now);
    assert.ok(!isRefusal(fresh) && fresh.state.qty === 5);
  });
});
