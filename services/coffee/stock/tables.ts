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
 * Loads, locked, the stock then the reservation of an order, decides, and records. The stock row
 * is locked first, so two reservations for one order serialize on it (the second finds the first).
 */
export async function decideOver<R>(tx: Transaction, productName: string, orderId: string, decide: (stock: Stock | undefined, reservation: Reservation | undefined) => StockDecision | R): Promise<StockDecision | R> {
  const stock = productName ? await stocks.find(tx.db, productName, { lock: true }) : undefined;
  const reservation = await reservations.find(tx.db, orderId, { lock: true });
  const decision = decide(stock, reservation);
  if (decision && typeof decision === "object" && "events" in decision) await recordDecision(tx, decision as StockDecision, { stock, reservation });
  return decision;
}
