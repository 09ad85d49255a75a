// The kitchen: a production per paid order, started once its ingredients are reserved, made by
// the barista; the kitchen holds the work, so it decides a cancel against starting it.
// Pure: decisions return the new state and the events to publish.
import { cancelRefused, decide, refuse, type CancelAnswer, type Decision, type Outcome, type Refusal } from "../../../mesh/kernel/index.js";

export type ProductionStatus = "Requested" | "Started" | "Completed" | "Rejected" | "Canceled";
export const productionStatuses: readonly ProductionStatus[] = ["Requested", "Started", "Completed", "Rejected", "Canceled"];

export interface Production {
  id: string;
  orderId: string;
  productName: string;
  qty: number;
  status: ProductionStatus;
  reason: string;
  requestedAt: Date;
  updatedAt: Date;
}

/** What a production is about, as its events carry it. */
type About = { productionId: string; orderId: string; productName: string; qty: number };
export type ProductEvent =
  | ({ type: "ProductionStarted" } & About)
  | ({ type: "Produced" } & About)
  | ({ type: "ProductionRejected"; reason: string } & About)
  | ({ type: "ProductCanceled"; reason: string } & About)
  | CancelAnswer;

/** An order as it reaches the kitchen (from Ordered). */
export interface IncomingOrder {
  orderId: string;
  productName: string;
  qty: number;
}

/** What the warehouse answered the kitchen's reservation (stock.Reduce). */
export type Reservation = { reserved: true } | { reserved: false; refusal: Refusal };

const about = (p: Production): About => ({ productionId: p.id, orderId: p.orderId, productName: p.productName, qty: p.qty });

/** Step 2: the order reaches the kitchen (Requested). Already there, or cancelled before it came: unchanged. */
export function requestProduction(existing: Production | undefined, order: IncomingOrder, id: string, now: Date): Decision<Production, ProductEvent> {
  if (existing) return decide(existing);
  return decide({ id, ...order, status: "Requested", reason: "", requestedAt: now, updatedAt: now });
}

/**
 * Steps 3-5: with the ingredients reserved the production starts (ProductionStarted); when the
 * warehouse refused, it is rejected (ProductionRejected: the order is cancelled and refunded).
 * Only a requested production starts: a cancelled one stays cancelled (its reservation, if the
 * warehouse made one, goes back on ProductCanceled).
 */
export function startProduction(p: Production, reservation: Reservation, now: Date): Decision<Production, ProductEvent> {
  if (p.status !== "Requested") return decide(p);
  if (reservation.reserved) return decide({ ...p, status: "Started", updatedAt: now }, { type: "ProductionStarted", ...about(p) });
  const reason = reservation.refusal.refused.slice(0, 300);
  return decide({ ...p, status: "Rejected", reason, updatedAt: now }, { type: "ProductionRejected", ...about(p), reason });
}

/** Step 4: the barista's "produced": a started production is completed (Produced). Twice changes nothing. */
export function produce(p: Production, now: Date): Outcome<Production, ProductEvent> {
  if (p.status === "Completed") return decide(p);
  if (p.status !== "Started") {
    return refuse(`PRODUCTION_${p.status.toUpperCase()}`, `production ${p.id} is ${p.status.toLowerCase()}; only a started production can be produced`);
  }
  return produceIfStarted(p, now);
}

/** A started production made at once (the kitchen's own barista, KITCHEN_AUTO_PRODUCE); any other unchanged. */
export function produceIfStarted(p: Production, now: Date): Decision<Production, ProductEvent> {
  if (p.status !== "Started") return decide(p);
  return decide({ ...p, status: "Completed", updatedAt: now }, { type: "Produced", ...about(p) });
}

/** Runs `next` on a decision's state, keeping the events of both. */
export function andThen<S, E>(first: Decision<S, E>, next: (state: S) => Decision<S, E>): Decision<S, E> {
  const second = next(first.state);
  return { state: second.state, events: [...first.events, ...second.events] };
}

/** The kitchen's refusal once production started, in words the customer reads. */
export const alreadyStarted = (orderId: string): Refusal =>
  refuse("PRODUCTION_STARTED", `order ${orderId} cannot be cancelled: its production has already started`);

/** Whether a production's cancellation is refused (it started, or is made). */
export const cancelIsRefused = (p: Production): boolean => p.status === "Started" || p.status === "Completed";

/** The customer's cancel as it reaches the kitchen: the order, why, and its menu item. */
export interface CancelRequest {
  orderId: string;
  reason: string;
  productName: string;
}

/**
 * Step 6: cancel the production of an order, decided in the same transaction as starting it, so
 * exactly one wins. Not started: cancelled (ProductCanceled; a production not arrived yet leaves a
 * cancelled one behind, named after the order's menu item, so the late order is never made and
 * the warehouse knows which stock to give back or hold). Started or made: unchanged, with the
 * refusal recorded (CancelRefused) for the customer's view; the caller answers FAILED_PRECONDITION.
 */
export function cancelProduction(existing: Production | undefined, request: CancelRequest, id: string, now: Date): Decision<Production, ProductEvent> {
  if (existing && cancelIsRefused(existing)) return decide(existing, cancelRefused(existing.orderId, alreadyStarted(existing.orderId)));
  if (existing && existing.status !== "Requested") return decide(existing);
  const base: Production = existing ?? { id, orderId: request.orderId, productName: request.productName, qty: 0, status: "Requested", reason: "", requestedAt: now, updatedAt: now };
  const reason = request.reason.slice(0, 300);
  return decide({ ...base, status: "Canceled", reason, updatedAt: now }, { type: "ProductCanceled", ...about(base), reason });
}
