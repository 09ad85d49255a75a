import { compensatedCalls, defineService, dependency, pendingCalls, pendingCallTimeout, serve } from "../../../mesh/index.js";
import { OrderService } from "../../../gen/coffee/v1/order_pb.js";
import { ProductionCancelService } from "../../../gen/coffee/v1/production_cancel_pb.js";
import { PaymentService } from "../../../gen/payment/v1/payment_pb.js";
import { createOrderApi } from "./api.js";
import { createCancelOrder } from "./cancel-order.js";
import { abandonOrder } from "./domain.js";
import { createPlaceOrder } from "./place-order.js";
import { createOrderPolicies } from "./policies.js";
import { orders } from "./tables.js";

/** coffee's order: the customer's app (takes, pays, cancels). */
export const orderContext = defineService({
  id: "coffee-order",
  port: 8101,
  serves: [OrderService],
  dependencies: { product: dependency("coffee-product", ProductionCancelService), payment: dependency("payment", PaymentService) },
  tables: [orders, pendingCalls],
  config: (env) => ({ abandonPaymentAfterMs: pendingCallTimeout(env) }),
  start({ db, transact, repository, clients, config, logger }) {
    const rows = repository(orders);
    const payments = compensatedCalls({ db, transact, logger, events: orders.events!, compensation: abandonOrder, abandonAfterMs: config.abandonPaymentAfterMs });
    const placeOrder = createPlaceOrder({ orders: rows, payments, payment: clients.payment });
    const cancelOrder = createCancelOrder({ orders: rows, product: clients.product });
    return {
      rpc: [serve(OrderService, createOrderApi(rows, placeOrder, cancelOrder))],
      policies: createOrderPolicies(rows),
      background: [payments.sweeper],
    };
  },
});
