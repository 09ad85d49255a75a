// The flower system end to end: every service a real OS process, started as `npm start` starts
// them, against the real NATS JetStream, with SQLite files. Scenarios follow systems.md.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import knex from "knex";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { connect, type JsMsg } from "nats";
import { DeliveryService, DeliveryStatus } from "../../gen/flower/v1/delivery_pb.js";
import { OrderService, OrderStatus, type OrderHistory } from "../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../gen/flower/v1/store_pb.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { codeOf, eventually, freePorts, rpcError, sampleValue, startTestSystem, violatedFields, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = catalog.filter((e) => ["flower", "payment", "notification"].includes(e.system)).map((e) => e.id);

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) =>
  createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
let orders: ReturnType<typeof client<typeof OrderService>>;
let store: ReturnType<typeof client<typeof StoreService>>;
let delivery: ReturnType<typeof client<typeof DeliveryService>>;
let payments: ReturnType<typeof client<typeof PaymentService>>;
let notifications: ReturnType<typeof client<typeof NotificationService>>;

let phoneSeq = 1000;
const newPhone = () => `010-5555-${phoneSeq++}`;
const online = (phoneNumber: string, flowerId = "1", qty = 1) => ({ flowerId, qty, address: "Seoul, Gangnam-gu", phoneNumber });
const pickUp = (phoneNumber: string, flowerId = "1", qty = 1) => ({ flowerId, qty, isOffline: true, phoneNumber });

const historyWhere = (orderId: string, ok: (h: OrderHistory) => boolean, what: string) =>
  eventually(`order ${orderId}: ${what}`, async () => {
    const [h] = (await orders.listOrderHistories({ orderId })).orderHistories;
    return h && ok(h) ? h : undefined;
  });
const stockOf = async (flowerId: string) => (await store.getFlower({ id: flowerId })).flower!.stock;
const notified = (orderId: string, count: number) =>
  eventually(`${count} notifications for ${orderId}`, async () => {
    const list = (await notifications.listNotifications({ referenceId: orderId })).notifications;
    return list.length >= count ? list.map((n) => n.eventType).sort() : undefined;
  });
// Every event of a system's stream, read from its start (tests look for what a command caused, or did not).
async function streamEvents(system: string): Promise<JsMsg[]> {
  const nc = await connect({ servers: sys.natsUrl });
  try {
    const consumer = await nc.jetstream().consumers.get(`${sys.namespace.toUpperCase()}_${system.toUpperCase()}`);
    const out: JsMsg[] = [];
    for await (const m of await consumer.fetch({ max_messages: 10_000, expires: 1000 })) out.push(m);
    return out;
  } finally {
    await nc.close();
  }
}
// A counter or gauge of a service, 0 before its first sample exists.
const metric = async (url: string, name: string, labels: Record<string, string>) =>
  sampleValue(await (await fetch(`${url}/metrics`)).text(), name, labels) ?? 0;

describe("flower system (processes)", { timeout: 300_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      // Small breaker settings so the breaker scenario takes seconds, not minutes.
      // Debug lines too: every RPC and event leaves one under its correlation id (the "following one order" test reads them).
      env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "1000", CLIENT_TIMEOUT_MS: "1500", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000", LOG_LEVEL: "debug" },
      log: "flower-system",
    });
    orders = client(OrderService, "flower-order");
    store = client(StoreService, "flower-store");
    delivery = client(DeliveryService, "flower-delivery");
    payments = client(PaymentService, "payment");
    notifications = client(NotificationService, "notification");
  });
  after(async () => {
    await sys?.stop();
  });

  test("online order: placed and paid → wrapped → delivery started → completed, with every step in the history and a notification for each", async () => {
    const phone = newPhone();
    const { order } = await orders.placeOrder(online(phone, "1", 2));
    assert.equal(order!.status, OrderStatus.PLACED);
    assert.equal(order!.amount!.amount, 10000n);
    await historyWhere(order!.id, (h) => h.deliveryStatus === DeliveryStatus.STARTED, "delivery started");
    const [started] = (await delivery.listDeliveries({ orderId: order!.id })).deliveries;
    assert.equal(started.address, "Seoul, Gangnam-gu");
    assert.equal(started.phoneNumber, phone);
    await delivery.completeDelivery({ id: started.id });
    const h = await historyWhere(order!.id, (x) => x.status === OrderStatus.DELIVERED, "delivered");
    assert.deepEqual(h.steps.map((s) => s.event), ["PaymentApproved", "OrderPlaced", "FlowerWrapped", "DeliveryStarted", "DeliveryCompleted"]);
    assert.equal(h.paymentStatus, PaymentStatus.APPROVED);
    assert.equal((await orders.getOrder({ id: order!.id })).order!.status, OrderStatus.DELIVERED);
    assert.equal(await codeOf(orders.cancelOrder({ id: order!.id })), "FailedPrecondition");
    const sent = await eventually("4 notifications", async () => {
      const list = (await notifications.listNotifications({ referenceId: order!.id })).notifications;
      return list.length >= 4 ? list : undefined;
    });
    assert.deepEqual(sent.map((n) => n.eventType).sort(), [
      "flower.delivery.DeliveryCompleted", "flower.delivery.DeliveryStarted", "flower.order.OrderPlaced", "flower.store.FlowerWrapped",
    ]);
    assert.ok(sent.every((n) => n.recipient === phone));
  });

  test("pick-up order: sold in the store, no delivery", async () => {
    const { order } = await orders.placeOrder(pickUp(newPhone(), "2", 1));
    const h = await historyWhere(order!.id, (x) => x.status === OrderStatus.SOLD, "sold");
    assert.deepEqual(h.steps.map((s) => s.event), ["PaymentApproved", "OrderPlaced", "FlowerSold"]);
    assert.deepEqual((await delivery.listDeliveries({ orderId: order!.id })).deliveries, []);
    assert.equal(await codeOf(orders.cancelOrder({ id: order!.id })), "FailedPrecondition");
    assert.deepEqual(await notified(order!.id, 2), ["flower.order.OrderPlaced", "flower.store.FlowerSold"]);
  });

  test("cancel: payment refunded, delivery cancelled, flowers back in stock", async () => {
    const before = await stockOf("2");
    const { order } = await orders.placeOrder(online(newPhone(), "2", 3));
    await historyWhere(order!.id, (h) => h.deliveryStatus === DeliveryStatus.STARTED, "delivery started");
    assert.equal(await stockOf("2"), before - 3);
    const { order: requested } = await orders.cancelOrder({ id: order!.id, reason: "wrong address" });
    assert.equal(requested!.status, OrderStatus.DELIVERY_STARTED, "a request: the courier holds the flowers and decides");
    assert.ok(requested!.cancelRequestedAt);
    const h = await historyWhere(order!.id, (x) => x.paymentStatus === PaymentStatus.CANCELLED && x.deliveryStatus === DeliveryStatus.CANCELED, "refunded and delivery cancelled");
    assert.ok(["OrderCancelRequested", "OrderCancelled", "PaymentCancelled", "DeliveryCanceled"].every((e) => h.steps.some((s) => s.event === e)));
    assert.equal((await orders.getOrder({ id: order!.id })).order!.status, OrderStatus.CANCELLED);
    const [payment] = (await payments.listPayments({ system: "flower", referenceId: order!.id })).payments;
    assert.equal(payment.status, PaymentStatus.CANCELLED);
    await eventually("stock restored", async () => ((await stockOf("2")) === before ? true : undefined));
    assert.deepEqual(await notified(order!.id, 6), [
      "flower.delivery.DeliveryCanceled", "flower.delivery.DeliveryStarted", "flower.order.OrderCancelled",
      "flower.order.OrderPlaced", "flower.store.FlowerWrapped", "payment.flower.PaymentCancelled",
    ]);
    // Cancelling again changes nothing.
    assert.equal((await orders.cancelOrder({ id: order!.id })).order!.status, OrderStatus.CANCELLED);
  });

  test("following one order: the x-correlation-id it was placed with finds every log line, event, payment, notification and view step it caused; its cancellation's finds the rest", async () => {
    const placing = `place-${randomUUID()}`;
    const cancelling = `cancel-${randomUUID()}`;
    let answered = "";
    const { order } = await orders.placeOrder(online(newPhone(), "1"), { headers: { "x-correlation-id": placing }, onHeader: (h) => (answered = h.get("x-correlation-id") ?? "") });
    assert.equal(answered, placing, "the caller is answered with its own id");
    const orderId = order!.id;
    await historyWhere(orderId, (h) => h.deliveryStatus === DeliveryStatus.STARTED, "delivery started");
    await orders.cancelOrder({ id: orderId, reason: "following it" }, { headers: { "x-correlation-id": cancelling } });
    await historyWhere(orderId, (h) => h.paymentStatus === PaymentStatus.CANCELLED && h.deliveryStatus === DeliveryStatus.CANCELED, "refunded and called off");
    await notified(orderId, 6);

    // Events: every one about the order (its business key) carries the id of the command that caused it.
    const events = [...await streamEvents("flower"), ...await streamEvents("payment")].filter((m) => m.headers?.get("Business-Key") === orderId);
    const byCommand = (id: string) => events.filter((m) => m.headers?.get("x-correlation-id") === id).map((m) => m.subject.split(".").pop()).sort();
    assert.deepEqual(byCommand(placing), ["DeliveryStarted", "FlowerWrapped", "OrderPlaced", "PaymentApproved", "StockChanged"]);
    assert.deepEqual(byCommand(cancelling), ["CancelConfirmed", "DeliveryCanceled", "OrderCancelRequested", "OrderCancelled", "PaymentCancelled", "StockChanged"]);
    assert.equal(events.length, 11, "no event of the order carries another id");

    // The payment, the notifications and the view's steps, found by each id; the order id beside it.
    const [payment] = (await payments.listPayments({ system: "flower", correlationId: placing })).payments;
    assert.equal(payment.referenceId, orderId);
    const told = async (id: string) => (await notifications.listNotifications({ correlationId: id })).notifications.map((n) => [n.eventType.split(".").pop(), n.referenceId]).sort();
    assert.deepEqual(await told(placing), [["DeliveryStarted", orderId], ["FlowerWrapped", orderId], ["OrderPlaced", orderId]]);
    assert.deepEqual(await told(cancelling), [["DeliveryCanceled", orderId], ["OrderCancelled", orderId], ["PaymentCancelled", orderId]]);
    const [history] = (await orders.listOrderHistories({ orderId })).orderHistories;
    const steps = (id: string) => history.steps.filter((step) => step.correlationId === id).map((step) => step.event).sort();
    assert.deepEqual(steps(placing), ["DeliveryStarted", "FlowerWrapped", "OrderPlaced", "PaymentApproved"]);
    assert.deepEqual(steps(cancelling), ["DeliveryCanceled", "OrderCancelRequested", "OrderCancelled", "PaymentCancelled"]);

    // Log lines: every service the order passed through wrote some under the placing id, and where an
    // event was handled, its line shows the order id beside it.
    const lines = readFileSync(sys.logFile!, "utf8").split("\n").filter((line) => line.includes(`correlationId=${placing}`));
    const services = new Set(lines.map((line) => line.slice(13).trim().split(/\s+/)[0]));
    for (const id of ["flower-order", "payment", "flower-store", "flower-delivery", "notification"]) assert.ok(services.has(id), `${id} logged under ${placing}: ${[...services]}`);
    assert.ok(lines.some((line) => line.includes(`businessKey=${orderId}`)), "an event's handling shows the order id too");
  });

  test("out of stock: refused, nothing paid, no order", async () => {
    const phone = newPhone();
    const paidBefore = (await payments.listPayments({ system: "flower" })).payments.length;
    const error = await rpcError(orders.placeOrder(online(phone, "3", 999)));
    assert.equal(error.code, Code.FailedPrecondition);
    assert.match(error.rawMessage, /out of stock/);
    assert.equal((await orders.listOrders({ phoneNumber: phone })).orders.length, 0);
    assert.equal((await payments.listPayments({ system: "flower" })).payments.length, paidBefore);
  });

  test("payment declined: no order anywhere", async () => {
    const phone = newPhone();
    const storeOrdersBefore = (await store.listStoreOrders({})).storeOrders.length;
    const declined = `declined-${randomUUID()}`;
    const error = await rpcError(orders.placeOrder({ ...online(phone), paymentMethod: "decline" }, { headers: { "x-correlation-id": declined } }));
    assert.equal(error.code, Code.FailedPrecondition);
    assert.match(error.rawMessage, /payment declined/);
    assert.equal((await orders.listOrders({ phoneNumber: phone })).orders.length, 0);
    // A later order's OrderPlaced in the stream means everything committed before it was published too
    // (the relay publishes in commit order): only then does "no event of the declined command" prove anything.
    const { order: later } = await orders.placeOrder(pickUp(newPhone(), "2"));
    await eventually("the later order reaches the stream", async () => (await streamEvents("flower")).some((m) => m.headers?.get("Business-Key") === later!.id));
    const caused = async (system: string) => (await streamEvents(system)).filter((m) => m.headers?.get("x-correlation-id") === declined).map((m) => m.subject.split(".").pop());
    assert.deepEqual(await caused("flower"), [], "no flower event");
    assert.deepEqual(await caused("payment"), ["PaymentDeclined"], "payment declined it, and said so");
    await historyWhere(later!.id, (h) => h.status === OrderStatus.SOLD, "the later order sold");
    assert.equal((await store.listStoreOrders({})).storeOrders.length, storeOrdersBefore + 1, "only the later order reached the store");
  });

  test("payment down: the breaker opens, orders fail at once with pay-later; payment back: orders succeed again", async () => {
    const phone = newPhone();
    await sys.launcher.stop("payment");
    const codes: string[] = [];
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      const e = await rpcError(orders.placeOrder(online(phone)));
      codes.push(Code[e.code]);
      messages.push(e.rawMessage);
    }
    assert.deepEqual(codes, Array(6).fill("Unavailable"));
    assert.ok(messages.every((m) => /pay later/.test(m)), messages.join(" | "));
    assert.equal(await metric(sys.url("flower-order", "http"), "mesh_breaker_state", { dependency: "payment" }), 2, "breaker open");
    assert.equal((await orders.listOrders({ phoneNumber: phone })).orders.length, 0, "no order without payment");

    await sys.launcher.start("payment");
    await sys.launcher.waitReady("payment");
    const { order } = await eventually("an order succeeds again", () => orders.placeOrder(online(phone)).catch(() => undefined));
    assert.equal(order!.status, OrderStatus.PLACED);
    assert.equal(await metric(sys.url("flower-order", "http"), "mesh_breaker_state", { dependency: "payment" }), 0, "breaker closed");
  });

  test("store down: orders are still taken; store back: they are processed, each once (consumer replay)", async () => {
    const before = await stockOf("1");
    await sys.launcher.stop("flower-store");
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await orders.placeOrder(i % 2 ? pickUp(newPhone()) : online(newPhone()))).order!);
    assert.ok(placed.every((o) => o.status === OrderStatus.PLACED));
    // The view has each OrderPlaced, so the events are out; the store is down, so none is taken.
    for (const o of placed) {
      const h = await historyWhere(o.id, (x) => x.steps.some((step) => step.event === "OrderPlaced"), "placed in the view");
      assert.equal(h.status, OrderStatus.PLACED, "nothing happens while the store is down");
    }

    await sys.launcher.start("flower-store");
    await sys.launcher.waitReady("flower-store");
    for (const o of placed) {
      await historyWhere(o.id, (h) => h.status === (o.isOffline ? OrderStatus.SOLD : OrderStatus.DELIVERY_STARTED), "processed");
    }
    const storeOrders = (await store.listStoreOrders({})).storeOrders;
    for (const o of placed) assert.equal(storeOrders.filter((s) => s.orderId === o.id).length, 1);
    assert.equal(await stockOf("1"), before - placed.length, "each order took its flowers exactly once");
  });

  test("competing consumers: two store processes share the work, each event handled once", async () => {
    const [httpPort, grpcPort] = await freePorts(2);
    await sys.launcher.start("flower-store", { replica: { name: "2", httpPort, grpcPort } });
    await sys.launcher.waitReady("flower-store#2");
    const consumer = { consumer: "flower-store-takeFlowersOutOfStockWhenOrderPlaced", outcome: "handled" };
    const counters = [sys.url("flower-store", "http"), `http://127.0.0.1:${httpPort}`];
    const before = await Promise.all(counters.map((u) => metric(u, "mesh_events_handled_total", consumer)));
    const stockBefore = await stockOf("2");
    const placed = await Promise.all(Array.from({ length: 30 }, () => orders.placeOrder(pickUp(newPhone(), "2")).then((r) => r.order!)));
    for (const o of placed) await historyWhere(o.id, (h) => h.status === OrderStatus.SOLD, "sold");
    const after = await Promise.all(counters.map((u) => metric(u, "mesh_events_handled_total", consumer)));
    const handled = after.map((a, i) => a - before[i]);
    assert.equal(handled[0] + handled[1], 30, `handled ${handled.join(" + ")}`);
    assert.ok(handled[0] > 0 && handled[1] > 0, `both replicas used: ${handled.join(" + ")}`);
    assert.equal(await stockOf("2"), stockBefore - 30);
    await sys.launcher.stop("flower-store#2");
  });

  test("outbox: order killed -9 after its commit, before publishing → the event goes out after restart, once", async () => {
    await sys.launcher.stop("flower-order");
    await sys.launcher.start("flower-order", { env: { OUTBOX_RELAY_ENABLED: "false" } });
    await sys.launcher.waitReady("flower-order");
    const { order } = await orders.placeOrder(pickUp(newPhone(), "3"));
    // Committed (its outbox row is in flower-order's database), and not published (not in the stream).
    const database = knex.knex({ client: "better-sqlite3", connection: { filename: join(sys.dataDir, "flower-order.sqlite") }, useNullAsDefault: true });
    try {
      assert.deepEqual(await database("outbox").where({ business_key: order!.id }).select("subject"), [{ subject: "flower.order.OrderPlaced" }]);
    } finally {
      await database.destroy();
    }
    assert.equal((await streamEvents("flower")).some((m) => m.headers?.get("Business-Key") === order!.id), false);
    await sys.launcher.stop("flower-order", "SIGKILL");
    await sys.launcher.start("flower-order");
    await sys.launcher.waitReady("flower-order");
    await historyWhere(order!.id, (h) => h.status === OrderStatus.SOLD, "sold after restart");

    const nc = await connect({ servers: sys.natsUrl });
    try {
      const js = nc.jetstream();
      const subject = `${sys.namespace}.flower.order.OrderPlaced`;
      const consumer = await js.consumers.get(`${sys.namespace.toUpperCase()}_FLOWER`, { filterSubjects: subject });
      let copies = 0;
      const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      for await (const m of batch) if (m.headers?.get("Business-Key") === order!.id) copies++;
      assert.equal(copies, 1, "published exactly once");
    } finally {
      await nc.close();
    }
  });

  test("bad input at every RPC: the documented code, the field named, nothing written", async () => {
    const counts = async () => [
      (await orders.listOrders({})).orders.length, (await store.listFlowers({})).flowers.length,
      (await payments.listPayments({ system: "flower" })).payments.length, (await store.listStoreOrders({})).storeOrders.length,
    ];
    const before = await counts();
    const fields = async (p: Promise<unknown>) => {
      const e = await rpcError(p);
      assert.equal(Code[e.code], "InvalidArgument", e.rawMessage);
      return violatedFields(e);
    };
    assert.deepEqual(await fields(orders.placeOrder({})), ["address", "flowerId", "phoneNumber", "qty"]);
    assert.deepEqual(await fields(orders.placeOrder({ ...online(newPhone()), qty: -1 })), ["qty"]);
    assert.deepEqual(await fields(orders.getOrder({})), ["id"]);
    assert.deepEqual(await fields(orders.cancelOrder({})), ["id"]);
    assert.deepEqual(await fields(orders.listOrderHistories({ pageSize: 5000 })), ["pageSize"]);
    assert.deepEqual(await fields(store.getFlower({})), ["id"]);
    assert.deepEqual(await fields(store.addFlower({ name: "", stock: -1 })), ["name", "price.amount", "price.currency", "stock"]);
    assert.deepEqual(await fields(store.changeStock({ flowerId: "1", stock: -5 })), ["stock"]);
    assert.deepEqual(await fields(store.wrapFlowers({})), ["orderId"]);
    assert.deepEqual(await fields(delivery.getDelivery({})), ["id"]);
    assert.deepEqual(await fields(delivery.completeDelivery({})), ["id"]);
    assert.ok((await fields(payments.pay({}))).length >= 3);
    assert.equal(await codeOf(orders.placeOrder(online(newPhone(), "no-such-flower"))), "NotFound");
    assert.equal(await codeOf(orders.getOrder({ id: "no-such-order" })), "NotFound");
    assert.equal(await codeOf(orders.cancelOrder({ id: "no-such-order" })), "NotFound");
    assert.equal(await codeOf(store.getFlower({ id: "no-such-flower" })), "NotFound");
    assert.equal(await codeOf(store.changeStock({ flowerId: "no-such-flower", stock: 1 })), "NotFound");
    assert.equal(await codeOf(store.wrapFlowers({ orderId: "no-such-order" })), "NotFound");
    assert.equal(await codeOf(store.addFlower({ id: "1", name: "Rose", price: { amount: 1n, currency: "KRW" }, stock: 1 })), "FailedPrecondition");
    assert.equal(await codeOf(delivery.getDelivery({ id: "no-such-delivery" })), "NotFound");
    assert.equal(await codeOf(delivery.completeDelivery({ id: "no-such-delivery" })), "NotFound");
    assert.equal(await codeOf(payments.getPayment({ id: "no-such-payment" })), "NotFound");
    assert.deepEqual(await counts(), before);
  });
});
