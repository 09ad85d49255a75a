import type { ServiceImpl } from "@connectrpc/connect";
import { fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { OrderSchema, type OrderService } from "../../../gen/flower/v1/order_pb.js";
import { MAX_QTY, requestCancel, type Order, type OrderEvent } from "./domain.js";
import type { createPlaceOrder } from "./place-order.js";
import type { OrderHistoryView } from "./view.js";

// OrderService handlers (inbound adapter): each is its field rules, then one call.

const FLOWER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const PHONE = /^\+?[0-9][0-9 -]{5,30}$/;
const message = (order: Order) => toMessage(OrderSchema, order);

/** Creates the order context's RPC handlers. */
export function createOrderApi(orders: Repository<Order, OrderEvent>, placeOrder: ReturnType<typeof createPlaceOrder>, view: OrderHistoryView): ServiceImpl<typeof OrderService> {
  return {
    async placeOrder(req) {
      fieldChecks()
        .check(FLOWER_ID.test(req.flowerId), "flowerId", "is required: the id of a flower in the store's catalogue")
        .check(req.qty >= 1 && req.qty <= MAX_QTY, "qty", `must be between 1 and ${MAX_QTY}`)
        .check(req.isOffline || req.address.trim() !== "", "address", "is required for delivery (set isOffline for pick-up in store)")
        .maxLength("address", req.address, 300)
        .check(PHONE.test(req.phoneNumber), "phoneNumber", "must be a phone number such as 010-1234-5678")
        .maxLength("paymentMethod", req.paymentMethod, 32)
        .throwIfInvalid();
      const { flowerId, qty, phoneNumber, isOffline } = req;
      return { order: message(await placeOrder({ flowerId, qty, address: req.address.trim(), phoneNumber, isOffline }, req.paymentMethod || "card")) };
    },

    async getOrder(req) {
      fieldChecks().required("id", req.id).throwIfInvalid();
      return { order: message(await orders.get(req.id)) };
    },

    async listOrders(req) {
      const { items, nextPageToken } = await orders.page({ where: { phoneNumber: req.phoneNumber || undefined }, by: "orderDate", pageSize: req.pageSize, pageToken: req.pageToken });
      return { orders: items.map(message), nextPageToken };
    },

    async cancelOrder(req) {
      fieldChecks().required("id", req.id).maxLength("reason", req.reason, 300).throwIfInvalid();
      return { order: message(await orders.change(req.id, (o) => requestCancel(o, req.reason || "cancelled by the customer", new Date()))) };
    },

    async listOrderHistories(req) {
      return view.list({ orderId: req.orderId, phoneNumber: req.phoneNumber, pageSize: req.pageSize, pageToken: req.pageToken });
    },
  };
}
