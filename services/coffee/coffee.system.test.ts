// The coffee system end to end: every service a real process, against the real NATS JetStream,
// on SQLite and on MariaDB. The kitchen waits for the barista here (KITCHEN_AUTO_START=false,
// KITCHEN_AUTO_PRODUCE=false), so each step of systems.md is driven and seen on its own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { connect, headers } from "nats";
import { OrderedSchema } from "../../gen/coffee/v1/events_pb.js";
import { OrderStatus } from "../../gen/coffee/v1/order_pb.js";
import { ProductionStatus } from "../../gen/coffee/v1/product_pb.js";
import { PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { codeOf, eventually, rpcError, testDialects, violatedFields } from "../../mesh/testing/index.js";
import { newId } from "../../mesh/index.js";
import { startCoffee, type Coffee } from "./coffee-fixtures.js";

const events = (c: { steps: { event: string }[] }) => c.steps.map((s) => s.event).sort();

for (const dialect of testDialects) {
  describe(`coffee system on ${dialect} (processes)`, { timeout: 240_000 }, () => {
    let c: Coffee;
    before(async () => {
      c = await startCoffee({ name: `system-${dialect}`, dialect, kitchen: "manual" });
    });
    after(async () => {
      await c?.sys.stop();
    });

    test("steps 1-4, 8: ordered and paid → production requested → stock reduced, started → produced; my page and the customer see every step", async () => {
      const before = await c.stockOf("Americano");
      const { order } = await c.orders.placeOrder({ productName: "Americano", qty: 2, customerId: "kim" });
      assert.equal(order!.status, OrderStatus.REQUESTED);
      assert.equal(order!.amount!.amount, 8000n);
      const requested = await c.production(order!.id);
      assert.equal(requested.status, ProductionStatus.REQUESTED);
      assert.equal(await c.stockOf("Americano"), before, "nothing reserved before production starts");

      const { production: started } = await c.kitchen.startProduction({ id: requested.id });
      assert.equal(started!.status, ProductionStatus.STARTED);
      assert.equal(await c.stockOf("Americano"), before - 2);
      await eventually("order started", async () => (await c.orders.getOrder({ id: order!.id })).order!.status === OrderStatus.STARTED);

      // Step 6's other side: once started, the seed's PATCH is refused with a readable reason, and the refusal is seen.
      const refusal = await rpcError(c.orders.updateOrder({ id: order!.id, status: OrderStatus.CANCELED }));
      assert.equal(refusal.code, 9 /* FAILED_PRECONDITION */);
      assert.match(refusal.rawMessage, /production has already started/);

      const { production: made } = await c.kitchen.produce({ id: requested.id });
      assert.equal(made!.status, ProductionStatus.COMPLETED);
      await eventually("order completed", async () => (await c.orders.getOrder({ id: order!.id })).order!.status === OrderStatus.COMPLETED);
      const page = await c.myPage(order!.id, (p) => p.status === OrderStatus.COMPLETED && p.steps.length >= 5, "completed");
      assert.deepEqual(events(page), ["CancelRefused", "Ordered", "PaymentApproved", "Produced", "ProductionStarted"]);
      assert.equal(page.productionStatus, ProductionStatus.COMPLETED);
      assert.equal(page.paymentStatus, PaymentStatus.APPROVED);
      assert.equal(page.customerId, "kim");
      assert.ok(page.steps.find((s) => s.event === "CancelRefused")!.description.includes("already started"));
      const told = await c.told(order!.id, 4);
      assert.deepEqual(told.map((n) => n.eventType).sort(), ["coffee.order.Ordered", "coffee.product.CancelRefused", "coffee.product.Produced", "coffee.product.ProductionStarted"]);
      assert.ok(told.every((n) => n.recipient === "kim"));
      assert.equal((await c.payment(order!.id, () => true, "exists")).status, PaymentStatus.APPROVED, "a refused cancel refunds nothing");
    });

    test("steps 6-7: cancelled before production starts (the seed's PATCH): production cancelled, payment refunded, stock untouched, and a late start makes nothing", async () => {
      const before = await c.stockOf("Latte");
      const { order } = await c.orders.placeOrder({ productName: "Latte", qty: 1, customerId: "lee" });
      const requested = await c.production(order!.id);
      const { order: canceled } = await c.orders.updateOrder({ id: order!.id, status: OrderStatus.CANCELED, reason: "changed my mind" });
      assert.equal(canceled!.status, OrderStatus.CANCELED);
      assert.equal(canceled!.cancelReason, "changed my mind");
      assert.equal((await c.orders.cancelOrder({ id: order!.id })).order!.status, OrderStatus.CANCELED, "cancelling twice is the same cancel");
      assert.equal((await c.kitchen.getProduction({ id: requested.id })).production!.status, ProductionStatus.CANCELED);
      await c.payment(order!.id, (p) => p.status === PaymentStatus.CANCELLED, "refunded");
      // The barista is too late: nothing starts, nothing is taken.
      assert.equal((await c.kitchen.startProduction({ id: requested.id })).production!.status, ProductionStatus.CANCELED);
      assert.equal(await c.stockOf("Latte"), before);
      const page = await c.myPage(order!.id, (p) => p.status === OrderStatus.CANCELED && p.paymentStatus === PaymentStatus.CANCELLED, "cancelled and refunded");
      assert.equal(page.productionStatus, ProductionStatus.CANCELED);
      assert.deepEqual(events(page), ["OrderCanceled", "Ordered", "PaymentApproved", "PaymentCancelled", "ProductCanceled"]);
      const told = await c.told(order!.id, 3);
      assert.deepEqual(told.map((n) => n.eventType).sort(), ["coffee.order.OrderCanceled", "coffee.order.Ordered", "payment.coffee.PaymentCancelled"]);
    });

    test("step 5 and 9: not enough stock rejects the production (order cancelled and refunded, stock untouched); the stock manager's receipt raises it", async () => {
      const { order: big } = await c.orders.placeOrder({ productName: "Mocha", qty: 100 });
      await c.kitchen.startProduction({ id: (await c.production(big!.id)).id });
      assert.equal(await c.stockOf("Mocha"), 0);
      const { order } = await c.orders.placeOrder({ productName: "Mocha", qty: 3 });
      const { production } = await c.kitchen.startProduction({ id: (await c.production(order!.id)).id });
      assert.equal(production!.status, ProductionStatus.REJECTED);
      assert.match(production!.reason, /out of stock: 0 Mocha left, 3 needed/);
      const canceled = await eventually("order cancelled", async () => {
        const o = (await c.orders.getOrder({ id: order!.id })).order!;
        return o.status === OrderStatus.CANCELED ? o : undefined;
      });
      assert.match(canceled.cancelReason, /^rejected by the kitchen: out of stock/);
      await c.payment(order!.id, (p) => p.status === PaymentStatus.CANCELLED, "refunded");
      assert.equal(await c.stockOf("Mocha"), 0, "a rejection takes nothing");
      await c.myPage(order!.id, (p) => p.status === OrderStatus.CANCELED && p.productionStatus === ProductionStatus.REJECTED && p.paymentStatus === PaymentStatus.CANCELLED, "rejected");
      assert.ok((await c.told(order!.id, 4)).some((n) => n.eventType === "coffee.product.ProductionRejected" && n.message.includes("out of stock")));

      const { stock } = await c.stock.addStock({ productName: "Mocha", qty: 30 });
      assert.equal(stock!.qty, 30);
      assert.equal((await c.stock.addStock({ productName: "Oat milk", qty: 5 })).stock!.qty, 5, "a new item is stocked from 0");
      const names = (await c.stock.listStocks({ pageSize: 100 })).stocks.map((s) => s.productName);
      assert.ok(["Americano", "Latte", "Mocha", "Oat milk"].every((n) => names.includes(n)));
    });

    test("the kitchen's cancellation is the record: had order died after the kitchen confirmed, ProductCanceled cancels and refunds the order all the same", async () => {
      const { order } = await c.orders.placeOrder({ productName: "Tea", qty: 2, customerId: "crash" });
      await c.production(order!.id);
      // What CancelOrder does first; the order context never gets to save its side.
      await c.cancels.cancelProduction({ orderId: order!.id, reason: "asked, then order died", productName: "Tea" });
      await eventually("order cancelled", async () => (await c.orders.getOrder({ id: order!.id })).order!.status === OrderStatus.CANCELED || undefined);
      await c.payment(order!.id, (p) => p.status === PaymentStatus.CANCELLED, "refunded");
      assert.ok((await c.told(order!.id, 3)).some((n) => n.eventType === "coffee.order.OrderCanceled"));
    });

    test("a replayed Ordered (two events, one order) makes one production; a repeated reservation takes the stock once", async () => {
      const orderId = newId();
      const ordered = create(OrderedSchema, { orderId, productName: "Tea", qty: 3, customerId: "replay", amount: { amount: 9000n, currency: "KRW" }, paymentId: "p" });
      const nc = await connect({ servers: c.sys.natsUrl });
      try {
        for (let i = 0; i < 2; i++) {
          const h = headers();
          h.set("Event-Type", OrderedSchema.typeName);
          h.set("Occurred-At", new Date().toISOString());
          h.set("Business-Key", orderId);
          h.set("x-correlation-id", orderId);
          await nc.jetstream().publish(`${c.sys.namespace}.coffee.order.Ordered`, toBinary(OrderedSchema, ordered), { msgID: newId(), headers: h });
        }
      } finally {
        await nc.close();
      }
      const before = await c.stockOf("Tea");
      const p = await c.production(orderId);
      await c.kitchen.startProduction({ id: p.id });
      await c.reservations.reduce({ orderId, productName: "Tea", qty: 3 });
      await c.kitchen.startProduction({ id: p.id });
      await eventually("both events handled", async () => (await c.myPage(orderId, () => true, "row")).steps.filter((s) => s.event === "Ordered").length === 2);
      assert.equal((await c.kitchen.listProductions({ orderId })).productions.length, 1);
      assert.equal(await c.stockOf("Tea"), before - 3);
    });

    test("cancel against the barista starting, over 20 interleavings: each order ends either cancelled (refunded, nothing taken) or started (charged), never both", async () => {
      const initial = await c.stockOf("Espresso");
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const placed = await Promise.all(Array.from({ length: 20 }, () => c.orders.placeOrder({ productName: "Espresso", qty: 1, customerId: "race" })));
      const ids = placed.map((p) => p.order!.id);
      const productions = await Promise.all(ids.map((id) => c.production(id)));
      // The customer asks from well before the barista starts to well after: the reservation may be made and given back.
      const offsets = [-60, 0, 30, 60, 100, 150, 250, 500];
      await Promise.all(ids.map(async (id, i) => {
        const at = (i % 2) * 60;
        const barista = async () => {
          await pause(at);
          await c.kitchen.startProduction({ id: productions[i].id });
        };
        const customer = async () => {
          await pause(Math.max(0, at + offsets[i % offsets.length]));
          const code = await codeOf(c.orders.cancelOrder({ id }));
          assert.ok(code === "OK" || code === "FailedPrecondition", `cancel answered ${code}`);
        };
        await Promise.all([barista(), customer()]);
      }));
      const finals = await Promise.all(ids.map(async (id) => (await c.orders.getOrder({ id })).order!));
      const canceled = finals.filter((o) => o.status === OrderStatus.CANCELED);
      console.log(`# ${canceled.length} cancelled, ${finals.length - canceled.length} started`);
      for (const o of finals) {
        const p = (await c.kitchen.listProductions({ orderId: o.id })).productions[0];
        if (o.status === OrderStatus.CANCELED) assert.equal(p.status, ProductionStatus.CANCELED, `order ${o.id}`);
        else assert.equal(p.status, ProductionStatus.STARTED, `order ${o.id}`);
      }
      await eventually("payments and orders agree", async () => {
        for (const o of finals) {
          const [p] = (await c.payments.listPayments({ system: "coffee", referenceId: o.id })).payments;
          if (p?.status !== (o.status === OrderStatus.CANCELED ? PaymentStatus.CANCELLED : PaymentStatus.APPROVED)) return undefined;
        }
        return true;
      });
      await eventually("stock: exactly the started ones taken", async () => (await c.stockOf("Espresso")) === initial - (finals.length - canceled.length) || undefined);
      await eventually("every order started shows Started", async () => {
        const now = await Promise.all(ids.map(async (id) => (await c.orders.getOrder({ id })).order!.status));
        return now.every((s) => s === OrderStatus.CANCELED || s === OrderStatus.STARTED) || undefined;
      });
    });

    test("bad input at every RPC: the documented code naming the field, never INTERNAL", async () => {
      const fields = async (call: Promise<unknown>) => {
        const e = await rpcError(call);
        assert.equal(e.code, 3, `${e.rawMessage}: INVALID_ARGUMENT`);
        return violatedFields(e).sort();
      };
      assert.deepEqual(await fields(c.orders.placeOrder({ productName: "", qty: 0 })), ["productName", "qty"]);
      assert.deepEqual(await fields(c.orders.placeOrder({ productName: "Americano", qty: 101, customerId: "bad id!" })), ["customerId", "qty"]);
      assert.deepEqual(await fields(c.orders.placeOrder({ productName: "x".repeat(65), qty: 1 })), ["productName"]);
      assert.equal(await codeOf(c.orders.placeOrder({ productName: "Soju", qty: 1 })), "FailedPrecondition");
      assert.equal(await codeOf(c.orders.placeOrder({ productName: "Americano", qty: 1, paymentMethod: "decline" })), "FailedPrecondition");
      assert.deepEqual(await fields(c.orders.getOrder({ id: "" })), ["id"]);
      assert.equal(await codeOf(c.orders.getOrder({ id: "nope" })), "NotFound");
      assert.deepEqual(await fields(c.orders.listOrders({ pageSize: -1 })), ["pageSize"]);
      assert.deepEqual(await fields(c.orders.listOrders({ pageToken: "not a token" })), ["pageToken"]);
      assert.deepEqual(await fields(c.orders.listOrders({ status: 42 as OrderStatus })), ["status"]);
      assert.deepEqual(await fields(c.orders.cancelOrder({ id: "", reason: "r".repeat(301) })), ["id", "reason"]);
      assert.equal(await codeOf(c.orders.cancelOrder({ id: "nope" })), "NotFound");
      assert.deepEqual(await fields(c.orders.updateOrder({ id: "nope", status: OrderStatus.COMPLETED })), ["status"]);
      assert.deepEqual(await fields(c.orders.updateOrder({ id: "" })), ["id", "status"]);
      assert.deepEqual(await fields(c.kitchen.getProduction({ id: "" })), ["id"]);
      assert.equal(await codeOf(c.kitchen.getProduction({ id: "nope" })), "NotFound");
      assert.deepEqual(await fields(c.kitchen.listProductions({ status: 42 as ProductionStatus })), ["status"]);
      assert.deepEqual(await fields(c.kitchen.listProductions({ pageSize: 5000 })), ["pageSize"]);
      assert.deepEqual(await fields(c.kitchen.startProduction({ id: "" })), ["id"]);
      assert.equal(await codeOf(c.kitchen.produce({ id: "nope" })), "NotFound");
      assert.deepEqual(await fields(c.cancels.cancelProduction({ orderId: "" })), ["orderId", "productName"]);
      assert.deepEqual(await fields(c.cancels.cancelProduction({ orderId: "o", productName: "Tea", reason: "r".repeat(301) })), ["reason"]);
      assert.deepEqual(await fields(c.stock.getStock({ productName: "" })), ["productName"]);
      assert.equal(await codeOf(c.stock.getStock({ productName: "Nothing" })), "NotFound");
      assert.deepEqual(await fields(c.stock.listStocks({ pageToken: "%%%" })), ["pageToken"]);
      assert.deepEqual(await fields(c.reservations.reduce({ orderId: "", productName: "", qty: 0 })), ["orderId", "productName", "qty"]);
      assert.equal(await codeOf(c.reservations.reduce({ orderId: newId(), productName: "Americano", qty: 100_000 })), "FailedPrecondition");
      assert.deepEqual(await fields(c.stock.addStock({ productName: "", qty: 0 })), ["productName", "qty"]);
      assert.deepEqual(await fields(c.center.listMyPages({ pageSize: -5 })), ["pageSize"]);
      assert.deepEqual(await fields(c.center.listMyPages({ customerId: "c".repeat(65) })), ["customerId"]);
      // A produced one cannot be produced from Requested.
      const { order } = await c.orders.placeOrder({ productName: "Cappuccino", qty: 1 });
      assert.equal(await codeOf(c.kitchen.produce({ id: (await c.production(order!.id)).id })), "FailedPrecondition");
    });

    test("lists page newest first (AIP-158): a customer's orders walked a page at a time", async () => {
      const mine = [];
      for (let i = 0; i < 3; i++) mine.push((await c.orders.placeOrder({ productName: "Tea", qty: 1, customerId: "pager" })).order!.id);
      const first = await c.orders.listOrders({ customerId: "pager", pageSize: 2 });
      assert.equal(first.orders.length, 2);
      const second = await c.orders.listOrders({ customerId: "pager", pageSize: 2, pageToken: first.nextPageToken });
      assert.deepEqual([...first.orders, ...second.orders].map((o) => o.id), mine.reverse());
      assert.equal(second.nextPageToken, "");
      const pages = await eventually("three rows on my page", async () => {
        const p = await c.center.listMyPages({ customerId: "pager", pageSize: 2 });
        return p.myPages.length === 2 && p.nextPageToken ? p : undefined;
      });
      assert.equal((await c.center.listMyPages({ customerId: "pager", pageSize: 2, pageToken: pages.nextPageToken })).myPages.length, 1);
    });
  });
}
