import { bool, emitEvents, eventsOf, int, money, table, text, timestamp, type Transaction } from "../../../mesh/index.js";
import { ItemDeleted, itemAnswers, ItemRegistered, ItemReserved, PaymentReleased, RentedItem, ReservationRejected, ReturnedItem } from "../events.js";
import type { Hold, HoldStatus, Item, ItemDecision, ItemEvent, ItemStatus, RentalStatus } from "./domain.js";

// The item context's tables, declared once: its items and the reservations it decided on.

const itemEvents = eventsOf<ItemEvent>()({ ItemRegistered, ItemDeleted, ItemReserved, PaymentReleased, ReservationRejected, RentedItem, ReturnedItem, ...itemAnswers });

export const items = table<Item, ItemEvent>("items", {
  id: text(64).key(), itemName: text(100), itemPrice: money(), itemStatus: text<ItemStatus>(16).index(), rentalStatus: text<RentalStatus>(16),
  reservationNo: text(64), registeredAt: timestamp().index(), updatedAt: timestamp(), deletedAt: timestamp().optional(),
}, { resource: "item", events: itemEvents });

export const holds = table<Hold, ItemEvent>("item_holds", {
  reservationNo: text(64).key(), itemNo: text(64).index(), status: text<HoldStatus>(16), paid: bool(),
  paidAttempt: int().since("0001_item_holds_payment_attempts", 0), releasedAttempt: int().since("0001_item_holds_payment_attempts", 0), updatedAt: timestamp(),
}, { resource: "reservation", events: itemEvents });

/** Writes a decision over both aggregates, and its events, in the caller's transaction. */
export async function recordDecision(tx: Transaction, decision: ItemDecision, was: { item?: Item; hold?: Hold }): Promise<void> {
  if (decision.item) await items.save(tx.db, decision.item, was.item);
  if (decision.hold) await holds.save(tx.db, decision.hold, was.hold);
  emitEvents(tx, itemEvents, decision.events);
}
