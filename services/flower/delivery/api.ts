import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { DeliverySchema, type DeliveryService } from "../../../gen/flower/v1/delivery_pb.js";
import { completeDelivery, type Delivery, type DeliveryEvent } from "./domain.js";

// DeliveryService handlers (inbound adapter): each is its field rules, then one call.

const message = (d: Delivery) => toMessage(DeliverySchema, d);

/** Creates the courier's RPC handlers. */
export function createDeliveryApi(deliveries: Repository<Delivery, DeliveryEvent>): ServiceImpl<typeof DeliveryService> {
  return {
    async getDelivery(req) {
      fieldChecks().required("id", req.id).throwIfInvalid();
      return { delivery: message(await deliveries.get(req.id)) };
    },

    async listDeliveries(req) {
      // Ids are UUIDv7: by id is by creation.
      const { items, nextPageToken } = await deliveries.page({ where: { orderId: req.orderId || undefined }, by: "id", pageSize: req.pageSize, pageToken: req.pageToken });
      return { deliveries: items.map(message), nextPageToken };
    },

    async completeDelivery(req) {
      fieldChecks().required("id", req.id).throwIfInvalid();
      return { delivery: message(await deliveries.change(req.id, (d) => completeDelivery(d, new Date()))) };
    },
  };
}
