import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { createNotification, recordAttempt, renderMessage, retryDelayMs, type RetrySchedule } from "./domain.js";
import { flowerTemplates } from "./templates/flower.js";
import { formatMoney } from "./templates/format-money.js";

const schedule: RetrySchedule = { maxAttempts: 3, baseMs: 100, maxMs: 250 };
const now = new Date("2024-05-01T10:00:00Z");
const origin = { id: "n-1", eventId: "e-1", system: "flower", eventType: "flower.order.OrderPlaced", channel: "log", now };

describe("renderMessage with the flower templates", () => {
  it("tells the customer the order is placed and paid, and carries the phone number", () => {
    const r = renderMessage(flowerTemplates, "flower.order.OrderPlaced", {
      orderId: "o-1", qty: 3, phoneNumber: "010-1234-5678", isOffline: false,
    });
    assert.deepEqual(r, { correlationId: "o-1", recipient: "010-1234-5678", text: "Your order for 3 flowers is placed and paid." });
  });

  it("says flower, not flowers, for one", () => {
    const r = renderMessage(flowerTemplates, "flower.order.OrderPlaced", { orderId: "o-1", qty: 1, phoneNumber: "1", isOffline: false });
    assert.match(r!.text, /for 1 flower is placed and paid/);
  });

  it("renders every status event of an order, without a recipient of its own", () => {
    const events: Array<[string, object, RegExp]> = [
      ["flower.order.OrderCancelled", { orderId: "o-1", qty: 2, reason: "changed my mind" }, /cancelled \(changed my mind\)/],
      ["flower.store.OrderRejected", { orderId: "o-1", qty: 2, reason: "out of stock" }, /could not take .*out of stock.*refunded/],
      ["flower.store.FlowerWrapped", { orderId: "o-1", qty: 2 }, /wrapped/],
      ["flower.store.FlowerSold", { orderId: "o-1", qty: 2 }, /handed over/],
      ["flower.delivery.DeliveryStarted", { deliveryId: "d-1", orderId: "o-1", address: "Seoul" }, /on their way to Seoul/],
      ["flower.delivery.DeliveryCompleted", { deliveryId: "d-1", orderId: "o-1" }, /delivered/],
      ["flower.delivery.DeliveryCanceled", { deliveryId: "d-1", orderId: "o-1" }, /delivery .* cancelled/],
      ["payment.flower.PaymentCancelled", { referenceId: "o-1", amount: { amount: 36_000n, currency: "KRW" } }, /36,000 KRW was refunded/],
    ];
    for (const [type, fields, text] of events) {
      const r = renderMessage(flowerTemplates, type, fields);
      assert.ok(r, type);
      assert.equal(r.correlationId, "o-1", type);
      assert.equal(r.recipient, undefined, type);
      assert.match(r.text, text, type);
    }
  });

  it("ignores events that tell the customer nothing", () => {
    assert.equal(renderMessage(flowerTemplates, "flower.store.StockChanged", { flowerId: "1" }), undefined);
  });
});

describe("formatMoney", () => {
  it("reads the smallest unit per currency", () => {
    assert.equal(formatMoney({ amount: 36_000n, currency: "KRW" }), "36,000 KRW");
    assert.equal(formatMoney({ amount: 1_250n, currency: "USD" }), "12.50 USD");
    assert.equal(formatMoney({ amount: 5n, currency: "EUR" }), "0.05 EUR");
  });
});

describe("delivery attempts", () => {
  const fresh = () => createNotification({ correlationId: "o-1", text: "hi" }, "010", origin);

  it("creates a pending notification due at once", () => {
    const n = fresh();
    assert.equal(n.status, "pending");
    assert.equal(n.attempts, 0);
    assert.deepEqual(n.nextAttemptAt, now);
    assert.equal(n.sentAt, null);
  });

  it("marks a successful attempt sent", () => {
    const n = recordAttempt(fresh(), { ok: true }, now, schedule);
    assert.equal(n.status, "sent");
    assert.equal(n.attempts, 1);
    assert.deepEqual(n.sentAt, now);
  });

  it("backs off exponentially up to the cap", () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, schedule)), [100, 200, 250, 250]);
    const once = recordAttempt(fresh(), { ok: false, error: "503" }, now, schedule);
    assert.equal(once.status, "pending");
    assert.equal(once.lastError, "503");
    assert.equal(once.nextAttemptAt.getTime() - now.getTime(), 100);
    const twice = recordAttempt(once, { ok: false, error: "503" }, now, schedule);
    assert.equal(twice.nextAttemptAt.getTime() - now.getTime(), 200);
  });

  it("gives up after the last attempt, keeping the notification as failed", () => {
    let n = fresh();
    for (let i = 0; i < 3; i++) n = recordAttempt(n, { ok: false, error: "timeout" }, now, schedule);
    assert.equal(n.status, "failed");
    assert.equal(n.attempts, 3);
    assert.equal(n.lastError, "timeout");
  });
});

describe("the domain's dependencies", () => {
  it("imports nothing from protobuf, RPC, SQL or NATS", async () => {
    for (const file of ["./domain.ts", "./templates/flower.ts", "./templates/format-money.ts"]) {
      const source = await readFile(new URL(file, import.meta.url), "utf8");
      const imports = [...source.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
      for (const spec of imports) {
        assert.doesNotMatch(spec, /@bufbuild|@connectrpc|@grpc|knex|mysql|sqlite|nats|\/gen\/|mesh\/|events\.js/, `${file} imports ${spec}`);
      }
    }
  });
});
