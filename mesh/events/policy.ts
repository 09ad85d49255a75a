import type { EventType, ReceivedEvent } from "./event-type.js";
import type { Transaction } from "./transaction.js";

/**
 * A reaction to other contexts' events, named for its trigger and effect
 * (`acceptOrderWhenOrderPlaced`). It runs as one durable JetStream consumer shared by the
 * service's replicas; `handle` runs once per event, inside a transaction with the inbox row
 * that makes a redelivered event change nothing twice.
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

/** Thrown by a policy that cannot handle an event yet (e.g. it depends on one not yet seen): redelivered later, not logged as a failure. */
export class RetryLaterError extends Error {
  constructor(message: string, readonly delayMs = 1000) {
    super(message);
    this.name = "RetryLaterError";
  }
}
