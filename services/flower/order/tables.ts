import { bool, eventsOf, int, money, table, text, timestamp } from "../../../mesh/index.js";
import { OrderAbandoned, OrderCancelled, OrderCancelRequested, OrderPlaced } from "../events.js";
import type { KnownFlower, Order, OrderEvent, OrderStatus } from "./domain.js";

// The order context's tables, declared once: the runtime creates them and maps their rows.

export const orders = table<Order, OrderEvent>("orders", {
  id: text(64).key(), flowerId: text(64), qty: int(), address: text(300), phoneNumber: text(32).index(), isOffline: bool(),
  price: money(), amount: money(), orderDate: timestamp(), status: text<OrderStatus>(20), orderCancelDate: timestamp().optional(),
  cancelReason: text(300), paymentId: text(64),
  cancelRequestedAt: timestamp().optional().since("0001_orders_cancel_request"), cancelRefusal: text(300).since("0001_orders_cancel_request", ""),
}, { resource: "order", events: eventsOf<OrderEvent>()({ OrderPlaced, OrderCancelRequested, OrderCancelled, OrderAbandoned }) });

/** The fallback of the stock check while the store is down: the last levels seen in its events. */
export const knownFlowers = table<KnownFlower>("known_flowers", { id: text(64).key(), name: text(100), price: money(), stock: int() });
