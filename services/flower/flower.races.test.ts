// Cancel against fulfilment, as real processes: many orders, each with the customer cancelling,
// the owner wrapping and the courier completing at random moments of one another. Whatever the
// interleaving, every order ends either cancelled (refunded, stock back, no delivery handed over)
// or fulfilled and charged, never both, and the flowers in stock are exactly those not sold.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DeliveryService, DeliveryStatus } from "../../gen/flower/v1/delivery_pb.js";
import { OrderService, OrderStatus, type Order } from "../../gen/flower/v1/order_pb.js";
import { StoreOrderStatus, StoreService } from "../../gen/flower/v1/store_pb.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, PaymentStatus } from "../../gen/payment/v1/payment_pb.js";
import { eventually, seededRandom, startTestSystem, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ids = ["payment", "notification", "flower-store", "flower-order", "flower-delivery"];
// A seeded generator, so that a failing interleaving can be replayed (RACE_SEED=<seed>).
const { seed, random } = seededRandom("RACE_SEED");
const pause = (maxMs: number) => sleep(Math.floor(random() * maxMs));

let sys: TestSystem;
const client = <S extends Parameters<typeof createClient>[0]>(service: S, id: string) => createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));
const codeOf = (e: unknown) => (e instanceof ConnectError ? e.code : Code.Unknown);

/** How one order is driven: whether the customer cancels, and how long each party waits before acting. */
interface Plan {
  pickUp: boolean;
  cancel: boolean;
  /** The customer cancels at the moment the courier completes (pick-up: at once, against the store's sale). */
  together: boolean;
  qty: number;
  cancelAfterMs: number;
  wrapAfterMs: number;
  completeAfterMs: number;
}

describe("cancel against fulfilment (processes)", { timeout: 300_000 }, () => {
  before(async () => {
    sys = await startTestSystem({
      catalog, root, ids,
      env: { CONSUMER_ACK_WAIT_MS: "3000" },
      // The owner wraps by hand, so the wrap is one of the racing steps.
      serviceEnv: { "flower-store": { STORE_WRAP_MODE: "manual" } },
      log: "flower-races",
    });
  });
  after(async () => {
    await sys?.stop();
    console.log(`# RACE_SEED=${seed}`);
  });

  test("place, cancel, wrap and complete interleaved over 60 orders: each ends cancelled and refunded or fulfilled and charged; stock is conserved", async () => {
    const orders = client(OrderService, "flower-order");
    const store = client(StoreService, "flower-store");
    const delivery = client(DeliveryService, "flower-delivery");
    const payments = client(PaymentService, "payment");
    const notifications = client(NotificationService, "notification");
    await store.changeStock({ flowerId: "1", stock: 5_000 });
    const initial = (await store.getFlower({ id: "1" })).flower!.stock;

    const plans: Plan[] = Array.from({ length: 60 }, (_, i) => ({
      pickUp: i % 3 === 0,
      // A quarter are never cancelled: those must end fulfilled, whatever else happens.
      cancel: i % 4 !== 1,
      together: i % 4 === 2,
      qty: 1 + Math.floor(random() * 3),
      cancelAfterMs: Math.floor(random() * 1200),
      wrapAfterMs: Math.floor(random() * 300),
      completeAfterMs: Math.floor(random() * 300),
    }));
    const accepted = new Set<string>(); // cancel requests the order context took

    const drive = async (plan: Plan, index: number): Promise<Order> => {
      const { order } = await orders.placeOrder({
        flowerId: "1", qty: plan.qty, isOffline: plan.pickUp, address: plan.pickUp ? "" : `Seoul ${index}`, phoneNumber: `010-7777-${1000 + index}`,
      });
      const id = order!.id;
      let onTheDoorstep = () => {};
      const handingOver = new Promise<void>((resolve) => (onTheDoorstep = resolve));
      const customer = async () => {
        if (!plan.cancel) return;
        if (plan.together && !plan.pickUp) await handingOver;
        else if (!plan.together) await sleep(plan.cancelAfterMs);
        try {
          await orders.cancelOrder({ id, reason: `race ${index}` });
          accepted.add(id);
        } catch (e) {
          if (codeOf(e) !== Code.FailedPrecondition) throw e; // already known delivered or sold
        }
      };
      const owner = async () => {
        if (plan.pickUp) return;
        await sleep(plan.wrapAfterMs);
        for (let i = 0; i < 400; i++) {
          try {
            return void (await store.wrapFlowers({ orderId: id }));
          } catch (e) {
            if (codeOf(e) === Code.FailedPrecondition) return; // cancelled before it was wrapped
            if (codeOf(e) !== Code.NotFound) throw e;
            await pause(30); // not in the store yet
          }
        }
        throw new Error(`order ${id} never reached the store`);
      };
      const courier = async () => {
        if (plan.pickUp) return;
        await sleep(plan.completeAfterMs);
        for (let i = 0; i < 600; i++) {
          const [d] = (await delivery.listDeliveries({ orderId: id })).deliveries;
          if (d?.status === DeliveryStatus.CANCELED) return;
          if (d?.status === DeliveryStatus.STARTED) {
            onTheDoorstep();
            try {
              return void (await delivery.completeDelivery({ id: d.id }));
            } catch (e) {
              if (codeOf(e) === Code.FailedPrecondition) return; // called off first
              throw e;
            }
          }
          if (!d && (await orders.getOrder({ id })).order!.status === OrderStatus.CANCELLED) return;
          await pause(30);
        }
        throw new Error(`order ${id}: no delivery to complete`);
      };
      await Promise.all([customer(), owner(), courier().finally(onTheDoorstep)]);
      return order!;
    };
    const placed = await Promise.all(plans.map(drive));

    // Every order comes to rest: cancelled, or fulfilled with any cancel request answered.
    const finals = await eventually("every order at rest", async () => {
      const now = await Promise.all(placed.map(async (o) => (await orders.getOrder({ id: o.id })).order!));
      const atRest = (o: Order) =>
        o.status === OrderStatus.CANCELLED || ((o.status === OrderStatus.DELIVERED || o.status === OrderStatus.SOLD) && (!accepted.has(o.id) || o.cancelRefusal !== ""));
      return now.every(atRest) ? now : undefined;
    }, 90_000);

    const cancelled = finals.filter((o) => o.status === OrderStatus.CANCELLED);
    const fulfilled = finals.filter((o) => o.status !== OrderStatus.CANCELLED);
    const refusedAfterRequest = fulfilled.filter((o) => accepted.has(o.id));
    console.log(`# seed ${seed}: ${cancelled.length} cancelled, ${fulfilled.length} fulfilled (${refusedAfterRequest.length} of them after a cancel request the holder refused)`);

    // A quarter never cancelled: fulfilled. The rest either way, and the refunds follow exactly the cancellations.
    plans.forEach((plan, i) => plan.cancel || assert.notEqual(finals[i].status, OrderStatus.CANCELLED, `order ${finals[i].id} was never cancelled`));
    await eventually("payments follow the orders", async () => {
      const byRef = new Map((await payments.listPayments({ system: "flower" })).payments.map((p) => [p.referenceId, p.status]));
      return finals.every((o) => byRef.get(o.id) === (o.status === OrderStatus.CANCELLED ? PaymentStatus.CANCELLED : PaymentStatus.APPROVED)) ? true : undefined;
    });

    // The store hears of a confirmed cancellation last (OrderCancelled): wait for it, then look at everything.
    const storeOrders = await eventually("the store takes the cancelled orders back", async () => {
      const byOrder = new Map((await store.listStoreOrders({})).storeOrders.map((s) => [s.orderId, s]));
      return cancelled.every((o) => byOrder.get(o.id)?.status === StoreOrderStatus.CANCELLED) ? byOrder : undefined;
    });
    for (const [i, o] of finals.entries()) {
      const deliveries = (await delivery.listDeliveries({ orderId: o.id })).deliveries;
      const what = `order ${o.id} (${plans[i].pickUp ? "pick-up" : "delivery"}, ${OrderStatus[o.status]})`;
      if (plans[i].pickUp) assert.deepEqual(deliveries, [], `${what}: a pick-up order has no delivery`);
      if (o.status === OrderStatus.CANCELLED) {
        assert.equal(storeOrders.get(o.id)?.status, StoreOrderStatus.CANCELLED, `${what}: the store took it back`);
        assert.ok(deliveries.every((d) => d.status === DeliveryStatus.CANCELED), `${what}: nothing handed over`);
      } else {
        assert.equal(storeOrders.get(o.id)?.status, plans[i].pickUp ? StoreOrderStatus.SOLD : StoreOrderStatus.WRAPPED, `${what}: the store's record`);
        if (!plans[i].pickUp) assert.deepEqual(deliveries.map((d) => d.status), [DeliveryStatus.COMPLETED], `${what}: delivered once`);
      }
    }

    // The refused requests reached the order, its history and the customer.
    for (const o of refusedAfterRequest) {
      assert.match(o.cancelRefusal, /^already (delivered|handed over in the store)$/, `order ${o.id}`);
      await eventually(`order ${o.id}: the refusal in the history and told`, async () => {
        const [h] = (await orders.listOrderHistories({ orderId: o.id })).orderHistories;
        const told = (await notifications.listNotifications({ referenceId: o.id })).notifications;
        return h?.steps.some((s) => s.description.startsWith("cancel refused: already")) && told.some((n) => n.eventType.endsWith(".CancelRefused")) ? true : undefined;
      });
    }

    // Stock is conserved: what left it is exactly what was sold or delivered.
    const sold = fulfilled.reduce((n, o) => n + o.qty, 0);
    await eventually("stock settles", async () => ((await store.getFlower({ id: "1" })).flower!.stock === initial - sold ? true : undefined), 30_000);
  });
});
