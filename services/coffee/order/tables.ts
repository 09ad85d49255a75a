import { eventsOf, int, money, table, text, timestamp } from "../../../mesh/index.js";
import { OrderAbandoned, OrderCanceled, Ordered } from "../events.js";
import type { Order, OrderEvent, OrderStatus } from "./domain.js";

// The order context's table, declared once: the runtime creates it and maps its rows.

export const orders = table<Order, OrderEvent>("orders", {
  id: text(64).key(), productName: text(64), qty: int(), customerId: text(64).index(), price: money(), amount: money(),
  status: text<OrderStatus>(16).index(), orderDate: timestamp().index(), cancelDate: timestamp().optional(), cancelReason: text(300), paymentId: text(64),
}, { resource: "order", events: eventsOf<OrderEvent>()({ Ordered, OrderCanceled, OrderAbandoned }) });
