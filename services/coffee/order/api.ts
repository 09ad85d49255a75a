import type { ServiceImpl } from "@connectrpc/connect";
import { domainEnum, fieldChecks, toMessage, type Repository } from "../../../mesh/index.js";
import { OrderSchema, OrderStatus, OrderStatusSchema, type OrderService } from "../../../gen/coffee/v1/order_pb.js";
import type { createCancelOrder } from "./cancel-order.js";
import { MAX_QTY, orderStatuses, type Order, type OrderEvent } from "./domain.js";
import type { createPlaceOrder } from "./place-order.js";
import { isMenuItemName } from "../menu.js";

// OrderService handlers (inbound adapter): each is its field rules, then one call.

const CUSTOMER = /^[A-Za-z0-9_.@+-]{1,64}$/;
const statuses = domainEnum(OrderStatusSchema, orderStatuses);
const message = (order: Order) => toMessage(OrderSchema, order);
const reasonOf = (reason: string) => reason.trim() || "cancelled by the customer";

/** Creates the order context's RPC handlers. */
export function createOrderApi(orders: Repository<Order, OrderEvent>, placeOrder: ReturnType<typeof createPlaceOrder>, cancelOrder: ReturnType<typeof createCancelOrder>): ServiceImpl<typeof OrderService> {
  return {
    async placeOrder(req) {
      fieldChecks()
        .check(isMenuItemName(req.productName), "productName", "is required: a menu item such as Americano")
        .check(req.qty >= 1 && req.qty <= MAX_QTY, "qty", `must be between 1 and ${MAX_QTY}`)
        .check(req.customerId === "" || CUSTOMER.test(req.customerId), "customerId", "must be 1-64 letters, digits or _.@+-")
        .maxLength("paymentMethod", req.paymentMethod, 32)
        .throwIfInvalid();
      const command = { productName: req.productName, qty: req.qty, customerId: req.customerId || "guest" };
      return { order: message(await placeOrder(command, req.paymentMethod || "card")) };
    },

    async getOrder(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).throwIfInvalid();
      return { order: message(await orders.get(req.id)) };
    },

    async listOrders(req) {
      const status = statuses.fromProto(req.status);
      fieldChecks()
        .check(req.status === OrderStatus.UNSPECIFIED || status !== undefined, "status", "is not a known order status")
        .maxLength("customerId", req.customerId, 64)
        .pageSize(req.pageSize)
        .throwIfInvalid();
      const page = await orders.page({ by: "orderDate", where: { customerId: req.customerId || undefined, status }, pageSize: req.pageSize, pageToken: req.pageToken });
      return { orders: page.items.map(message), nextPageToken: page.nextPageToken };
    },

    async cancelOrder(req) {
      fieldChecks().required("id", req.id).maxLength("id", req.id, 64).maxLength("reason", req.reason, 300).throwIfInvalid();
      return { order: message(await cancelOrder(req.id, reasonOf(req.reason))) };
    },

    // The seed's PATCH with status="Canceled" is its way of asking to cancel: it performs CancelOrder.
    async updateOrder(req) {
      fieldChecks()
        .required("id", req.id).maxLength("id", req.id, 64)
        .check(req.status === OrderStatus.CANCELED, "status", "only Canceled can be asked for (it cancels the order); the other statuses follow the kitchen")
        .maxLength("reason", req.reason, 300)
        .throwIfInvalid();
      return { order: message(await cancelOrder(req.id, reasonOf(req.reason))) };
    },
  };
}
