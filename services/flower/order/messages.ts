import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { OrderStatus } from "../../../gen/flower/v1/order_pb.js";
import type * as domain from "./domain.js";

// Domain order → protobuf message fields, shared by the RPC handlers and the view.

/** The contract's name for each order status. */
export const orderStatusToProto: Record<domain.OrderStatus, OrderStatus> = {
  Placed: OrderStatus.PLACED,
  Wrapped: OrderStatus.WRAPPED,
  DeliveryStarted: OrderStatus.DELIVERY_STARTED,
  Delivered: OrderStatus.DELIVERED,
  Sold: OrderStatus.SOLD,
  Cancelled: OrderStatus.CANCELLED,
};

/** An order as the contract shows it. */
export const orderMessage = (o: domain.Order) => ({
  id: o.id, flowerId: o.flowerId, qty: o.qty, address: o.address, phoneNumber: o.phoneNumber, isOffline: o.isOffline,
  price: o.price, amount: o.amount, orderDate: timestampFromDate(o.orderDate), status: orderStatusToProto[o.status],
  orderCancelDate: o.orderCancelDate && timestampFromDate(o.orderCancelDate), cancelReason: o.cancelReason, paymentId: o.paymentId,
});

