import { emitEvents, eventsOf, int, table, text, timestamp, type Transaction } from "../../../mesh/index.js";
import { StockAdded, StockReduced, StockRestored } from "../events.js";
import type { Reservation, ReservationStatus, Stock, StockDecision, StockEvent } from "./domain.js";

// The warehouse's tables: a stock per menu item, and what was taken for each order.

const stockEvents = eventsOf<StockEvent>()({ StockReduced, StockRestored, StockAdded });

export const stocks = table<Stock, StockEvent>("stocks", {
  productName: text(64).key(), qty: int(), createdAt: timestamp().index(), updatedAt: timestamp(),
}, { resource: "stock", events: stockEvents });

export const reservations = table<Reservation>("reservations", {
  orderId: text(64).key(), productName: text(64), qty: int(), status: text<ReservationStatus>(16), updatedAt: timestamp(),
}, { resource: "reservation" });

/** Writes a decision over both aggregates, and its events, in the caller's transaction. */
export async function recordDecision(tx: Transaction, decision: StockDecision, was: { stock?: Stock; reservation?: Reservation }): Promise<void> {
  if (decision.stock) await stocks.save(tx.db, decision.stock, was.stock);
  if (decision.reservation) await reservations.save(tx.db, decision.reservation, was.reservation);
  emitEvents(tx, stockEvents, decision.events);
}

/**
 * Loads, locked, the stock then the reservation of an order, decides, and records. Every writer
 * locks the stock row first, so a reservation and a cancellation for one order serialize on it
 * (the second finds the first) instead of both inserting the order's reservation. The stock is the
 * reservation's when the order has one: a cancellation that does not name the product (an event
 * from before cancels carried it) still gives back what was taken, from the right stock; should
 * the reservation appear under another product while this waited, it decides again on that one.
 */
export async function decideOver<R>(tx: Transaction, productName: string, orderId: string, decide: (stock: Stock | undefined, reservation: Reservation | undefined) => StockDecision | R): Promise<StockDecision | R> {
  let name = productName || (await reservations.find(tx.db, orderId))?.productName || "";
  for (;;) {
    const stock = name ? await stocks.find(tx.db, name, { lock: true }) : undefined;
    const reservation = await reservations.find(tx.db, orderId, { lock: true });
    if (reservation?.productName && reservation.productName !== name) {
      name = reservation.productName; // now locked, it cannot change again: one more round at most
      continue;
    }
    const decision = decide(stock, reservation);
    if (decision && typeof decision === "object" && "events" in decision) await recordDecision(tx, decision as StockDecision, { stock, reservation });
    return decision;
  }
}
