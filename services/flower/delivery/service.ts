import { defineService, dependency, serve } from "../../../mesh/index.js";
import { DeliveryService } from "../../../gen/flower/v1/delivery_pb.js";
import { OrderService } from "../../../gen/flower/v1/order_pb.js";
import { createDeliveryApi } from "./api.js";
import { createDeliveryPolicies } from "./policies.js";
import * as store from "./store.js";

/** flower's delivery: the courier. */
export const deliveryService = defineService({
  id: "flower-delivery",
  streams: ["flower"],
  migrations: store.migrations,
  dependencies: { order: dependency("flower-order", OrderService) },
  start({ db, transact, clients }) {
    return {
      rpc: [serve(DeliveryService, createDeliveryApi(db, transact))],
      policies: createDeliveryPolicies(clients.order),
    };
  },
});
