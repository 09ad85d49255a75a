import type { DescMessage } from "@bufbuild/protobuf";
import type { EventType, ReceivedEvent } from "./event-type.js";
import type { Transaction } from "./transaction.js";

/**
 * A reaction to other contexts' events, named for its trigger and effect
 * (`takeFlowersOutOfStockWhenOrderPlaced`). It runs as one durable JetStream consumer shared by
 * the service's replicas; `handle` runs once per event, inside a transaction with the inbox row
 * that makes a redelivered event change nothing twice. Built with `policy(name, on(...), ...)`.
 */
export interface Policy {
  name: string;
  on: readonly EventType[];
  /**
   * Optional work before the transaction opens (a call to another service, say), so that no
   * lock is held across the network; its result is handed to `handle`. Skipped for duplicates.
   */
  prepare?(event: ReceivedEvent): Promise<unknown>;
  handle(event: ReceivedEvent, tx: Transaction, prepared?: unknown): Promise<void>;
}

/** How a policy handles one event type; made by `on`. */
export interface EventHandler {
  type: EventType;
  prepare?(event: ReceivedEvent): Promise<unknown>;
  handle(event: ReceivedEvent, tx: Transaction, prepared: unknown): Promise<void>;
}

/** A handler that first asks something outside the transaction (`prepare`), then handles with its answer. */
export interface PreparedSteps<D extends DescMessage, P> {
  prepare(event: ReceivedEvent<D>): Promise<P>;
  handle(event: ReceivedEvent<D>, tx: Transaction, prepared: P): Promise<void>;
}

/** Handles events of `type`, which the handler receives as that type. */
export function on<D extends DescMessage>(type: EventType<D>, handle: (event: ReceivedEvent<D>, tx: Transaction) => Promise<void>): EventHandler;
export function on<D extends DescMessage, P>(type: EventType<D>, steps: PreparedSteps<D, P>): EventHandler;
export function on<D extends DescMessage, P>(
  type: EventType<D>,
  handler: ((event: ReceivedEvent<D>, tx: Transaction) => Promise<void>) | PreparedSteps<D, P>,
): EventHandler {
  // The consumer dispatches by subject, so each handler only ever sees events of its own type.
  const steps = typeof handler === "function" ? { handle: handler } : handler;
  return {
    type,
    prepare: "prepare" in steps ? (event) => steps.prepare(event as ReceivedEvent<D>) : undefined,
    handle: (event, tx, prepared) => steps.handle(event as ReceivedEvent<D>, tx, prepared as P),
  };
}

/** A policy: a name (its durable consumer's) and the event types it handles, each with its handler. */
export function policy(name: string, ...handlers: EventHandler[]): Policy {
  const bySubject = new Map(handlers.map((h) => [h.type.subject, h]));
  if (bySubject.size !== handlers.length) throw new Error(`policy ${name} handles one event type twice`);
  const handlerOf = (event: ReceivedEvent) => {
    const h = bySubject.get(event.type.subject);
    if (!h) throw new Error(`policy ${name} has no handler for ${event.type.subject}`);
    return h;
  };
  const preparing = handlers.some((h) => h.prepare);
  return {
    name,
    on: handlers.map((h) => h.type),
    prepare: preparing ? async (event) => handlerOf(event).prepare?.(event) : undefined,
    handle: (event, tx, prepared) => handlerOf(event).handle(event, tx, prepared),
  };
}

/** Thrown by a policy that cannot handle an event yet (e.g. it depends on one not yet seen): redelivered later, not logged as a failure. */
export class RetryLaterError extends Error {
  constructor(message: string, readonly delayMs = 1000) {
    super(message);
    this.name = "RetryLaterError";
  }
}
