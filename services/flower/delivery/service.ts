import { defineService, dependency, serve } from "../../../mesh/index.js";
import { DeliveryService } from "../../../gen/flower/v1/delivery_pb.js";
import { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { createDeliveryApi } from "./api.js";
import { createDeliveryPolicies } from "./policies.js";
import { deliveries } from "./tables.js";

/** flower's delivery: the courier. */
export const deliveryContext = defineService({
  id: "flower-delivery",
  port: 8081,
  serves: [DeliveryService],
  dependencies: { order: dependency("flower-order", OrderService) },
  tables: [deliveries],
  start({ repository, clients }) {
    const rows = repository(deliveries);
    return { rpc: [serve(DeliveryService, createDeliveryApi(rows))], policies: createDeliveryPolicies(rows, clients.order) };
  },
});
