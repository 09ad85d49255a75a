import { defineService, dependency, serve } from "../../../mesh/index.js";
import { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { StoreService } from "../../../gen/flower/v1/store_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createOrderApi } from "./api.js";
import { createPlaceOrder } from "./place-order.js";
import { orderPolicies } from "./policies.js";
import * as store from "./store.js";
import { updateOrderHistory, viewMigrations } from "./view.js";

/** flower's order: the customer's app, and the order-history view. */
export const orderService = defineService({
  id: "flower-order",
  streams: ["flower", "payment"],
  migrations: [...store.migrations, ...viewMigrations],
  dependencies: {
    store: dependency("flower-store", StoreService),
    payment: dependency("payment", PaymentService),
  },
  start({ db, transact, clients, logger }) {
    const placeOrder = createPlaceOrder({ db, transact, store: clients.store, payment: clients.payment, logger });
    return {
      rpc: [serve(OrderService, createOrderApi({ db, transact, placeOrder }))],
      policies: [...orderPolicies, updateOrderHistory],
    };
  },
});
