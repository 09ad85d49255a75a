// What the coffee system tests share: the system as processes, typed clients, and waits on its state.
import { fileURLToPath } from "node:url";
import { createClient, type Client as ConnectClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { CustomerCenterService, type MyPage } from "../../gen/coffee/v1/customercenter_pb.js";
import { OrderService } from "../../gen/coffee/v1/order_pb.js";
import { ProductService, type Production } from "../../gen/coffee/v1/product_pb.js";
import { ProductionCancelService } from "../../gen/coffee/v1/production_cancel_pb.js";
import { StockService } from "../../gen/coffee/v1/stock_pb.js";
import { StockReservationService } from "../../gen/coffee/v1/stock_reservation_pb.js";
import { NotificationService } from "../../gen/notification/v1/notification_pb.js";
import { PaymentService, type Payment } from "../../gen/payment/v1/payment_pb.js";
import { eventually, startTestSystem, type testDialects, type TestSystem } from "../../mesh/testing/index.js";
import { catalog } from "../catalog.js";

type Dialect = (typeof testDialects)[number];
const root = fileURLToPath(new URL("../..", import.meta.url));

/** The coffee system with payment and notification (and the gateway when asked), as processes. */
export async function startCoffee(options: { name: string; dialect?: Dialect; gateway?: boolean; kitchen?: "auto" | "manual"; env?: Record<string, string> }) {
  const systems = ["coffee", "payment", "notification", ...(options.gateway ? ["gateway"] : [])];
  const manual = options.kitchen === "manual";
  const sys = await startTestSystem({
    catalog, root, dialect: options.dialect,
    ids: catalog.filter((e) => systems.includes(e.system)).map((e) => e.id),
    env: { BREAKER_THRESHOLD: "3", BREAKER_HALF_OPEN_MS: "1000", CLIENT_TIMEOUT_MS: "1500", SHUTDOWN_TIMEOUT_MS: "5000", CONSUMER_ACK_WAIT_MS: "3000", ...options.env },
    serviceEnv: manual ? { "coffee-product": { KITCHEN_AUTO_START: "false", KITCHEN_AUTO_PRODUCE: "false" } } : undefined,
    log: `coffee-${options.name}`,
  });
  return { sys, ...clientsOf(sys) };
}

const client = <S extends DescService>(sys: TestSystem, service: S, id: string): ConnectClient<S> =>
  createClient(service, createGrpcTransport({ baseUrl: sys.url(id) }));

function clientsOf(sys: TestSystem) {
  const orders = client(sys, OrderService, "coffee-order");
  const kitchen = client(sys, ProductService, "coffee-product");
  const stock = client(sys, StockService, "coffee-stock");
  // The internal services, reached as their callers reach them: at the serving process, over the mesh.
  const cancels = client(sys, ProductionCancelService, "coffee-product");
  const reservations = client(sys, StockReservationService, "coffee-stock");
  const center = client(sys, CustomerCenterService, "coffee-customercenter");
  const payments = client(sys, PaymentService, "payment");
  const notifications = client(sys, NotificationService, "notification");
  return {
    orders, kitchen, stock, cancels, reservations, center, payments, notifications,
    /** The production of an order, once the kitchen has one that satisfies `ok`. */
    production: (orderId: string, ok: (p: Production) => boolean = () => true, what = "a production") =>
      eventually(`order ${orderId}: ${what}`, async () => {
        const [p] = (await kitchen.listProductions({ orderId })).productions;
        return p && ok(p) ? p : undefined;
      }),
    /** The order's row on my page, once it satisfies `ok`. */
    myPage: (orderId: string, ok: (p: MyPage) => boolean, what: string) =>
      eventually(`my page of ${orderId}: ${what}`, async () => {
        const [p] = (await center.listMyPages({ orderId })).myPages;
        return p && ok(p) ? p : undefined;
      }),
    /** The order's payment, once it satisfies `ok`. */
    payment: (orderId: string, ok: (p: Payment) => boolean, what: string) =>
      eventually(`payment of ${orderId}: ${what}`, async () => {
        const [p] = (await payments.listPayments({ system: "coffee", referenceId: orderId })).payments;
        return p && ok(p) ? p : undefined;
      }),
    /** The event types the customer was told of, once there are `count`. */
    told: (orderId: string, count: number) =>
      eventually(`${count} notifications for ${orderId}`, async () => {
        const list = (await notifications.listNotifications({ referenceId: orderId })).notifications;
        return list.length >= count ? list : undefined;
      }),
    stockOf: async (productName: string) => (await stock.getStock({ productName })).stock!.qty,
  };
}

export type Coffee = Awaited<ReturnType<typeof startCoffee>>;
