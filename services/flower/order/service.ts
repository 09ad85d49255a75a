import { compensatedCalls, defineService, dependency, pendingCalls, pendingCallTimeout, serve, viewSteps } from "../../../mesh/index.js";
import { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createOrderApi } from "./api.js";
import { abandonOrder } from "./domain.js";
import { createPlaceOrder } from "./place-order.js";
import { createOrderPolicies } from "./policies.js";
import { knownFlowers, orders } from "./tables.js";
import { createOrderHistoryView, histories, steps } from "./view.js";

/** flower's order: the customer's app, and the order-history view. */
export const orderContext = defineService({
  id: "flower-order",
  port: 8082,
  serves: [OrderService],
  dependencies: { store: dependency("flower-store", StoreService), payment: dependency("payment", PaymentService) },
  tables: [orders, knownFlowers, histories, steps, pendingCalls],
  config: (env) => ({ abandonPaymentAfterMs: pendingCallTimeout(env) }),
  start({ db, transact, repository, clients, config, logger }) {
    const [orderRows, knownRows] = [repository(orders), repository(knownFlowers)];
    const view = createOrderHistoryView(repository(histories), viewSteps(repository(steps)));
    const payments = compensatedCalls({ db, transact, logger, events: orders.events!, compensation: abandonOrder, abandonAfterMs: config.abandonPaymentAfterMs });
    const placeOrder = createPlaceOrder({ orders: orderRows, knownFlowers: knownRows, payments, ...clients });
    return {
      rpc: [serve(OrderService, createOrderApi(orderRows, placeOrder, view))],
      policies: [...createOrderPolicies(orderRows, knownRows), view.projection],
      background: [payments.sweeper],
    };
  },
});
