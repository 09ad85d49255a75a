// The flower services' handlers and policies in this process, against real JetStream and a real
// database of each dialect: one service each, wired to each other as in production.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { DeliveryService, DeliveryStatus } from "../../gen/flower/v1/delivery_pb.js";
import { OrderService, OrderStatus } from "../../gen/flower/v1/order_pb.js";
import { StoreOrderStatus, StoreService } from "../../gen/flower/v1/store_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import {
  addressVariable, codeOf, deleteNamespaceStreams, eventsHandled, eventually, startInProcess, testDialects, testNamespace, type InProcessService,
} from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";
import { deliveryContext } from "./delivery/service.js";
import { deliveryAnswers, OrderCancelRequested, OrderPlaced, OrderRejected, StockChanged, storeAnswers } from "./events.js";
import { orderContext } from "./order/service.js";
import { storeContext } from "./store/service.js";

const paymentService = catalog.find((e) => e.id === "payment")!.definition;
// Services call each other over Connect, on the HTTP port.
const address = (s: InProcessService) => `127.0.0.1:${s.running.httpPort}`;

for (const dialect of testDialects) {
  describe(`flower services on ${dialect}`, { timeout: 120_000 }, () => {
    const namespace = testNamespace();
    let payment: InProcessService, store: InProcessService, order: InProcessService, delivery: InProcessService;
    let orders: ReturnType<typeof createClient<typeof OrderService>>;
    let stores: ReturnType<typeof createClient<typeof StoreService>>;
    let deliveries: ReturnType<typeof createClient<typeof DeliveryService>>;
    let payments: ReturnType<typeof createClient<typeof PaymentService>>;
    const fast = { BREAKER_HALF_OPEN_MS: "500", CLIENT_TIMEOUT_MS: "1000", CONSUMER_ACK_WAIT_MS: "2000" };

    before(async () => {
      payment = await startInProcess(paymentService, catalog, dialect, fast, namespace);
      store = await startInProcess(storeContext, catalog, dialect, fast, namespace);
      order = await startInProcess(orderContext, catalog, dialect, {
        ...fast, [addressVariable("flower-store")]: address(store), [addressVariable("payment")]: address(payment),
      }, namespace);
      delivery = await startInProcess(deliveryContext, catalog, dialect, { ...fast, [addressVariable("flower-order")]: address(order) }, namespace);
      orders = createClient(OrderService, order.transport);
      stores = createClient(StoreService, store.transport);
      deliveries = createClient(DeliveryService, delivery.transport);
      payments = createClient(PaymentService, payment.transport);
    });
    after(async () => {
      for (const s of [delivery, order, store, payment]) await s?.stop();
      await deleteNamespaceStreams(process.env.NATS_URL || "nats://127.0.0.1:4222", namespace);
    });

    test("store: a fresh store holds the demo catalogue; the owner sets stock and every change is announced", async () => {
      const { flowers } = await stores.listFlowers({});
      assert.deepEqual(flowers.map((f) => [f.id, f.name]), [["1", "Rose"], ["2", "Tulip"], ["3", "Lily"]]);
      const announced = store.watch(StockChanged);
      const { flower } = await stores.changeStock({ flowerId: "2", stock: 50 });
      assert.equal(flower!.stock, 50);
      await eventually("StockChanged", async () => announced.find((e) => e.message.flowerId === "2" && e.message.stock === 50));
      const { flower: added } = await stores.addFlower({ name: "Peony", price: { amount: 7000n, currency: "KRW" }, stock: 5 });
      assert.ok(added!.id);
      assert.equal(await codeOf(stores.addFlower({ id: added!.id, name: "Peony", price: { amount: 1n, currency: "KRW" }, stock: 1 })), "FailedPrecondition");
    });

    test("order → store → delivery: one saga, the view showing each step", async () => {
      const { order: placed } = await orders.placeOrder({ flowerId: "1", qty: 2, address: "Busan", phoneNumber: "010-0000-0001" });
      const h = await eventually("delivery started", async () => {
        const [x] = (await orders.listOrderHistories({ orderId: placed!.id })).orderHistories;
        return x?.deliveryStatus === DeliveryStatus.STARTED ? x : undefined;
      });
      assert.equal(h.status, OrderStatus.DELIVERY_STARTED);
      const [d] = (await deliveries.listDeliveries({ orderId: placed!.id })).deliveries;
      assert.equal(d.address, "Busan");
      const [so] = (await stores.listStoreOrders({ status: StoreOrderStatus.WRAPPED })).storeOrders.filter((s) => s.orderId === placed!.id);
      assert.equal(so.qty, 2);
      assert.equal(await codeOf(stores.wrapFlowers({ orderId: placed!.id })), "FailedPrecondition", "already wrapped");
    });

    test("an order placed twice to the store (two events, one order) takes its flowers once", async () => {
      const before = (await stores.getFlower({ id: "3" })).flower!.stock;
      const orderId = `dup-${namespace}`;
      const placed = { orderId, flowerId: "3", qty: 4, address: "Daegu", phoneNumber: "010-0000-0002", isOffline: true };
      const taken = () => eventsHandled(store.running, "takeFlowersOutOfStockWhenOrderPlaced", "handled");
      const [handledBefore, duplicatesBefore] = [await taken(), await eventsHandled(store.running, "takeFlowersOutOfStockWhenOrderPlaced", "duplicate")];
      // Two events with one order id (a producer that placed it twice): the store's own record of the order stops the second.
      await order.publish(OrderPlaced, placed);
      await order.publish(OrderPlaced, placed);
      await eventually("both events taken by the store", async () => (await taken()) - handledBefore === 2);
      assert.equal(await eventsHandled(store.running, "takeFlowersOutOfStockWhenOrderPlaced", "duplicate"), duplicatesBefore, "two events, not one redelivered");
      assert.equal((await stores.getFlower({ id: "3" })).flower!.stock, before - 4);
      assert.equal((await stores.listStoreOrders({})).storeOrders.filter((s) => s.orderId === orderId).length, 1);
    });

    test("store rejection: the order is cancelled and its payment refunded", async () => {
      // Make order believe in more stock than the store has, then take the store away so that
      // order decides from what it believes: the store, back, is the authority and rejects.
      const stock = (await stores.getFlower({ id: "3" })).flower!.stock;
      await store.publish(StockChanged, { flowerId: "3", name: "Lily", price: { amount: 4000n, currency: "KRW" }, stock: stock + 500, reason: "test" });
      await store.pause();
      const rejected = store.watch(OrderRejected);
      const { order: placed } = await eventually("an order taken from known stock", () =>
        orders.placeOrder({ flowerId: "3", qty: stock + 1, address: "Incheon", phoneNumber: "010-0000-0003" }).catch(() => undefined));
      await store.resume();
      await eventually("OrderRejected", async () => rejected.find((e) => e.message.orderId === placed!.id));
      const cancelled = await eventually("order cancelled", async () => {
        const o = (await orders.getOrder({ id: placed!.id })).order!;
        return o.status === OrderStatus.CANCELLED ? o : undefined;
      });
      assert.match(cancelled.cancelReason, /rejected by the store: out of stock/);
      await eventually("refunded", async () => {
        const [p] = (await payments.listPayments({ system: "flower", referenceId: placed!.id })).payments;
        return p?.status === PaymentStatus.CANCELLED ? p : undefined;
      });
      assert.equal((await stores.getFlower({ id: "3" })).flower!.stock, stock, "stock untouched");
    });

    test("cancel: a request until the courier confirms; then delivery called off, flowers back, payment refunded", async () => {
      const before = (await stores.getFlower({ id: "1" })).flower!.stock;
      const { order: placed } = await orders.placeOrder({ flowerId: "1", qty: 3, address: "Ulsan", phoneNumber: "010-0000-0004" });
      await eventually("delivery", async () => (await deliveries.listDeliveries({ orderId: placed!.id })).deliveries[0]);
      const confirmed = delivery.watch(deliveryAnswers.CancelConfirmed);
      const { order: requested } = await orders.cancelOrder({ id: placed!.id, reason: "not needed" });
      assert.notEqual(requested!.status, OrderStatus.CANCELLED, "a request: the courier decides");
      assert.ok(requested!.cancelRequestedAt);
      await eventually("the courier confirms", async () => confirmed.find((e) => e.message.referenceId === placed!.id));
      const cancelled = await eventually("order cancelled", async () => {
        const o = (await orders.getOrder({ id: placed!.id })).order!;
        return o.status === OrderStatus.CANCELLED ? o : undefined;
      });
      assert.equal(cancelled.cancelReason, "not needed");
      await eventually("refunded", async () => {
        const [p] = (await payments.listPayments({ system: "flower", referenceId: placed!.id })).payments;
        return p?.status === PaymentStatus.CANCELLED ? p : undefined;
      });
      await eventually("stock back", async () => ((await stores.getFlower({ id: "1" })).flower!.stock === before ? true : undefined));
      const [d] = (await deliveries.listDeliveries({ orderId: placed!.id })).deliveries;
      assert.equal(d.status, DeliveryStatus.CANCELED);
      assert.equal(await codeOf(deliveries.completeDelivery({ id: d.id })), "FailedPrecondition");
    });

    test("cancel refused: the courier delivered first; the order stays delivered and charged, with the refusal to read", async () => {
      const { order: placed } = await orders.placeOrder({ flowerId: "1", qty: 1, address: "Suwon", phoneNumber: "010-0000-0006" });
      const d = await eventually("delivery", async () => (await deliveries.listDeliveries({ orderId: placed!.id })).deliveries[0]);
      await deliveries.completeDelivery({ id: d.id });
      // The request as order sends it when it has not yet heard of the delivery (the race's losing side).
      const refused = delivery.watch(deliveryAnswers.CancelRefused);
      await order.publish(OrderCancelRequested, { orderId: placed!.id, flowerId: "1", qty: 1, isOffline: false, reason: "too slow" });
      const answer = await eventually("the courier refuses", async () => refused.find((e) => e.message.referenceId === placed!.id));
      assert.equal(answer.message.code, "ALREADY_DELIVERED");
      const o = await eventually("the refusal reaches the order", async () => {
        const x = (await orders.getOrder({ id: placed!.id })).order!;
        return x.cancelRefusal ? x : undefined;
      });
      assert.equal(o.cancelRefusal, "already delivered");
      assert.equal(o.status, OrderStatus.DELIVERED);
      await eventually("the history says so", async () =>
        (await orders.listOrderHistories({ orderId: placed!.id })).orderHistories[0]?.steps.find((s) => s.description === "cancel refused: already delivered"));
      const [p] = (await payments.listPayments({ system: "flower", referenceId: placed!.id })).payments;
      assert.equal(p.status, PaymentStatus.APPROVED, "delivered and charged");
      assert.equal((await deliveries.getDelivery({ id: d.id })).delivery!.status, DeliveryStatus.COMPLETED);
    });

    test("pick-up: the store answers a cancel request (sold: refused; not yet arrived: confirmed), and no delivery is ever made for it", async () => {
      const { order: sold } = await orders.placeOrder({ flowerId: "2", qty: 1, isOffline: true, phoneNumber: "010-0000-0007" });
      await eventually("sold", async () => (await stores.listStoreOrders({ status: StoreOrderStatus.SOLD })).storeOrders.find((s) => s.orderId === sold!.id));
      const [confirmed, refused] = [store.watch(storeAnswers.CancelConfirmed), store.watch(storeAnswers.CancelRefused)];
      await order.publish(OrderCancelRequested, { orderId: sold!.id, flowerId: "2", qty: 1, isOffline: true, reason: "late" });
      assert.equal((await eventually("refused", async () => refused.find((e) => e.message.referenceId === sold!.id))).message.code, "ALREADY_SOLD");

      const early = `early-${namespace}`;
      const courierDecided = await eventsHandled(delivery.running, "decideCancelWhenDeliveryCancelRequested", "handled");
      await order.publish(OrderCancelRequested, { orderId: early, flowerId: "2", qty: 1, isOffline: true, reason: "changed my mind" });
      await eventually("confirmed", async () => confirmed.find((e) => e.message.referenceId === early));
      await eventually("the courier saw the request too", async () =>
        (await eventsHandled(delivery.running, "decideCancelWhenDeliveryCancelRequested", "handled")) > courierDecided);
      assert.deepEqual((await deliveries.listDeliveries({ orderId: early })).deliveries, [], "a pick-up order has no delivery, not even a canceled one");
      const [tombstone] = (await stores.listStoreOrders({})).storeOrders.filter((s) => s.orderId === early);
      assert.equal(tombstone.status, StoreOrderStatus.CANCELLED, "a tombstone: the late order is not taken");
    });

    test("delivery waits while the order context is down, then starts", async () => {
      // The store is away while the order is placed, so that the flowers are wrapped only once
      // the order context, which delivery asks for the address, is down.
      await store.pause();
      const { order: placed } = await orders.placeOrder({ flowerId: "2", qty: 1, address: "Jeju", phoneNumber: "010-0000-0005" });
      await order.pause();
      await store.resume();
      const waited = await eventsHandled(delivery.running, "startDeliveryWhenFlowerWrapped", "retried");
      await eventually("wrapped", async () =>
        (await stores.listStoreOrders({ status: StoreOrderStatus.WRAPPED })).storeOrders.find((s) => s.orderId === placed!.id));
      // The courier has taken FlowerWrapped and put it back to wait for the order context: only then is "no delivery" proven.
      await eventually("the courier waits for the order context", async () => (await eventsHandled(delivery.running, "startDeliveryWhenFlowerWrapped", "retried")) > waited);
      assert.deepEqual((await deliveries.listDeliveries({ orderId: placed!.id })).deliveries, [], "no address, no delivery yet");
      await order.resume();
      const d = await eventually("delivery started", async () => (await deliveries.listDeliveries({ orderId: placed!.id })).deliveries[0], 30_000);
      assert.equal(d.status, DeliveryStatus.STARTED);
      assert.equal(d.address, "Jeju");
    });
  });
}
