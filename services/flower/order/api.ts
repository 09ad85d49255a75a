import type { ServiceImpl } from "@connectrpc/connect";
import type { Knex } from "knex";
import { fieldChecks, notFound, refused, type Transact } from "../../../mesh/index.js";
import type { OrderService } from "../../../gen/flower/v1/order_pb.js";
import * as domain from "./domain.js";
import { orderMessage } from "./messages.js";
import type { createPlaceOrder } from "./place-order.js";
import * as store from "./store.js";
import { listOrderHistories } from "./view.js";

// OrderService handlers (inbound adapter): protobuf in, domain decision, protobuf out.

const FLOWER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PHONE = /^\+?[0-9][0-9 -]{5,30}$/;

export interface OrderApiDeps {
  db: Knex;
  transact: Transact;
  placeOrder: ReturnType<typeof createPlaceOrder>;
}

/** Creates the order context's RPC handlers. */
export function createOrderApi({ db, transact, placeOrder }: OrderApiDeps): ServiceImpl<typeof OrderService> {
  const checkId = (id: string) => fieldChecks().check(id !== "", "id", "is required").throwIfInvalid();
  return {
    async placeOrder(req) {
      fieldChecks()
        .check(FLOWER_ID.test(req.flowerId), "flowerId", "is required: the id of a flower in the store's catalogue")
        .check(req.qty >= 1 && req.qty <= domain.MAX_QTY, "qty", `must be between 1 and ${domain.MAX_QTY}`)
        .check(req.isOffline || req.address.trim() !== "", "address", "is required for delivery (set isOffline for pick-up in store)")
        .check(req.address.length <= 300, "address", "must be at most 300 characters")
        .check(PHONE.test(req.phoneNumber), "phoneNumber", "must be a phone number such as 010-1234-5678")
        .check(req.paymentMethod.length <= 32, "paymentMethod", "must be at most 32 characters")
        .throwIfInvalid();
      const order = await placeOrder(
        { flowerId: req.flowerId, qty: req.qty, address: req.address.trim(), phoneNumber: req.phoneNumber, isOffline: req.isOffline },
        req.paymentMethod || "card",
      );
      return { order: orderMessage(order) };
    },

    async getOrder(req) {
      checkId(req.id);
      const order = await store.findOrder(db, req.id);
      if (!order) throw notFound("order", req.id);
      return { order: orderMessage(order) };
    },

    async listOrders(req) {
      return { orders: (await store.listOrders(db, req.phoneNumber)).map(orderMessage) };
    },

    async cancelOrder(req) {
      checkId(req.id);
      fieldChecks().check(req.reason.length <= 300, "reason", "must be at most 300 characters").throwIfInvalid();
      return transact(async (tx) => {
        const order = await store.findOrder(tx.db, req.id, true);
        if (!order) throw notFound("order", req.id);
        const result = domain.cancelOrder(order, req.reason || "cancelled by the customer", new Date());
        if (domain.isRefusal(result)) throw refused(result.refused, result.code);
        await store.saveOrder(tx, result.order, result.events, false);
        return { order: orderMessage(result.order) };
      });
    },

    async listOrderHistories(req) {
      fieldChecks().check(req.pageSize >= 0 && req.pageSize <= 1000, "pageSize", "must be between 0 and 1000").throwIfInvalid();
      return { orderHistories: await listOrderHistories(db, { orderId: req.orderId, phoneNumber: req.phoneNumber, limit: req.pageSize || 100 }) };
    },
  };
}
