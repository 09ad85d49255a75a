// The ingredients warehouse: every menu item's units, taken out for a production exactly once
// (a reservation per order), given back when that production is cancelled, raised by the stock
// manager's receipts. Pure: decisions return the new state and the events to publish.
import { decide, refuse, type Decision, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export interface Stock {
  productName: string;
  qty: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What was taken for one order: Reduced, then Restored if its production was cancelled; Canceled when the cancel came first. */
export type ReservationStatus = "Reduced" | "Restored" | "Canceled";

export interface Reservation {
  orderId: string;
  productName: string;
  qty: number;
  status: ReservationStatus;
  updatedAt: Date;
}

type Movement = { productName: string; qty: number; stock: number; orderId: string };
export type StockEvent =
  | ({ type: "StockReduced" } & Movement)
  | ({ type: "StockRestored" } & Movement)
  | { type: "StockAdded"; productName: string; qty: number; stock: number };

/** A decision over both of the warehouse's aggregates: a stock and an order's reservation. */
export interface StockDecision {
  stock?: Stock;
  reservation?: Reservation;
  events: StockEvent[];
}

/** The most units of one item the warehouse counts. */
export const MAX_STOCK = 1_000_000_000;

/** A fresh warehouse: every menu item with `units`. */
export const initialStock = (productName: string, units: number, now: Date): Stock => ({ productName, qty: units, createdAt: now, updatedAt: now });

/**
 * Step 3-4: the kitchen takes `qty` units out for an order. Taken already for it: nothing more
 * (a retry never takes twice). Fewer left: refused, nothing taken (step 5). Its production was
 * cancelled first: refused.
 */
export function reduce(stock: Stock | undefined, reservation: Reservation | undefined, order: { orderId: string; productName: string; qty: number }, now: Date): StockDecision | Refusal {
  if (reservation?.status === "Reduced") return { events: [] };
  if (reservation) return refuse("PRODUCTION_CANCELED", `the production of order ${order.orderId} was cancelled; nothing is taken for it`);
  if (!stock) return refuse("NOT_STOCKED", `${order.productName} is not stocked in the warehouse`);
  if (stock.qty < order.qty) return refuse("OUT_OF_STOCK", `out of stock: ${stock.qty} ${stock.productName} left, ${order.qty} needed`);
  const left: Stock = { ...stock, qty: stock.qty - order.qty, updatedAt: now };
  return {
    stock: left,
    reservation: { orderId: order.orderId, productName: stock.productName, qty: order.qty, status: "Reduced", updatedAt: now },
    events: [{ type: "StockReduced", productName: stock.productName, qty: order.qty, stock: left.qty, orderId: order.orderId }],
  };
}

/**
 * Step 7: a production was cancelled: what was taken for its order goes back (StockRestored). When
 * nothing was taken yet, a cancelled reservation stays, so a late Reduce for the order takes nothing.
 */
export function restore(stock: Stock | undefined, reservation: Reservation | undefined, canceled: { orderId: string; productName: string }, now: Date): StockDecision {
  if (!reservation) {
    return { reservation: { orderId: canceled.orderId, productName: canceled.productName, qty: 0, status: "Canceled", updatedAt: now }, events: [] };
  }
  if (reservation.status !== "Reduced" || !stock) return { events: [] };
  const back: Stock = { ...stock, qty: Math.min(MAX_STOCK, stock.qty + reservation.qty), updatedAt: now };
  return {
    stock: back,
    reservation: { ...reservation, status: "Restored", updatedAt: now },
    events: [{ type: "StockRestored", productName: stock.productName, qty: reservation.qty, stock: back.qty, orderId: reservation.orderId }],
  };
}

/** Step 9: the stock manager receives goods; an item not stocked yet starts from 0. */
export function addStock(stock: Stock | undefined, productName: string, qty: number, now: Date): Outcome<Stock, StockEvent> {
  const current = stock ?? initialStock(productName, 0, now);
  if (current.qty + qty > MAX_STOCK) return refuse("STOCK_FULL", `${productName}: ${current.qty} units in stock; the warehouse counts at most ${MAX_STOCK}`);
  const raised: Stock = { ...current, qty: current.qty + qty, updatedAt: now };
  return decide(raised, { type: "StockAdded", productName, qty, stock: raised.qty });
}

/** A decision over the stock alone, as a StockDecision. */
export const onStock = (d: Decision<Stock, StockEvent>): StockDecision => ({ stock: d.state, events: [...d.events] });
