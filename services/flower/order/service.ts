import { defineService, dependency, serve } from "../../../mesh/index.js";
import { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createOrderApi } from "./api.js";
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
  tables: [orders, knownFlowers, histories, steps],
  start({ transact, repository, clients, logger }) {
    const [orderRows, knownRows] = [repository(orders), repository(knownFlowers)];
    const view = createOrderHistoryView(repository(histories), repository(steps));
    const placeOrder = createPlaceOrder({ transact, orders: orderRows, knownFlowers: knownRows, ...clients, logger });
    return {
      rpc: [serve(OrderService, createOrderApi(orderRows, placeOrder, view))],
      policies: [...createOrderPolicies(orderRows, knownRows), view.projection],
    };
  },
});
