import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import { fieldChecks, notFound, refused, type Transact } from "../../../mesh/index.js";
import { DeliveryStatus, type DeliveryService } from "../../../gen/flower/v1/delivery_pb.js";
import * as domain from "./domain.js";
import * as store from "./store.js";

// DeliveryService handlers (inbound adapter).

const statusToProto: Record<domain.DeliveryStatus, DeliveryStatus> = {
  Started: DeliveryStatus.STARTED,
  Completed: DeliveryStatus.COMPLETED,
  Canceled: DeliveryStatus.CANCELED,
};

const ts = (d?: Date) => d && timestampFromDate(d);
const deliveryMessage = (d: domain.Delivery) => ({
  id: d.id, orderId: d.orderId, address: d.address, phoneNumber: d.phoneNumber, status: statusToProto[d.status],
  startedAt: ts(d.startedAt), completedAt: ts(d.completedAt), canceledAt: ts(d.canceledAt),
});

/** Creates the courier's RPC handlers. */
export function createDeliveryApi(db: Knex, transact: Transact): ServiceImpl<typeof DeliveryService> {
  const checkId = (id: string) => fieldChecks().check(id !== "", "id", "is required").throwIfInvalid();
  return {
    async getDelivery(req) {
      checkId(req.id);
      const delivery = await store.findDelivery(db, req.id);
      if (!delivery) throw notFound("delivery", req.id);
      return { delivery: deliveryMessage(delivery) };
    },

    async listDeliveries(req) {
      return { deliveries: (await store.listDeliveries(db, req.orderId)).map(deliveryMessage) };
    },

    async completeDelivery(req) {
      checkId(req.id);
      return transact(async (tx) => {
        const delivery = await store.findDelivery(tx.db, req.id, true);
        if (!delivery) throw notFound("delivery", req.id);
        const result = domain.completeDelivery(delivery, new Date());
        if (domain.isRefusal(result)) throw refused(result.refused, result.code);
        await store.saveDecision(tx, result, false);
        return { delivery: deliveryMessage(result.delivery ?? delivery) };
      });
    },
  };
}
