import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { DomainForm } from "../proto/domain-form.js";
import type { EventType } from "./event-type.js";
import type { Transaction } from "./transaction.js";

// A domain says what happened as plain tagged objects ({ type: "OrderPlaced", orderId, ... }).
// An event set binds those to their protobuf messages once, checked by the compiler: a field the
// message lacks, or a message field the domain does not fill, is a type error, never a silent loss.

type Fields<E> = Omit<E, "type">;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type Matches<E, D extends DescMessage> =
  [E] extends [never] ? false
  : SameKeys<Fields<E>, DomainForm<MessageShape<D>>> extends true ? (Fields<E> extends DomainForm<MessageShape<D>> ? true : false)
  : false;
type Checked<E extends { type: string }, S> = {
  [K in keyof S]: S[K] extends EventType<infer D>
    ? Matches<Extract<E, { type: K }>, D> extends true ? unknown : { readonly mismatch: `${K & string}: the domain event and its protobuf message have different fields` }
    : never;
};

/** The event types a domain's events (the union E) are published as, by name. */
export type EventSet<E extends { type: string }> = { readonly [K in E["type"]]: EventType } & { readonly "~events"?: E };

/**
 * Binds a domain's event union E to its event types: `eventsOf<OrderEvent>()({ OrderPlaced, OrderCancelled })`.
 * Each domain event must carry exactly its message's fields (Dates for Timestamps).
 */
export function eventsOf<E extends { type: string }>() {
  return <S extends { readonly [K in E["type"]]: EventType }>(set: S & Checked<E, S>): EventSet<E> => {
    for (const [name, type] of Object.entries(set as Record<string, EventType>)) {
      if (type.name !== name) throw new Error(`event set: ${name} is bound to ${type.subject}`);
    }
    return set as unknown as EventSet<E>;
  };
}

/** Where a domain's events go: one set, or a set chosen per event (payment's: by the system paid for). */
export type EventRoute<E extends { type: string }> = EventSet<E> | ((event: E) => EventSet<E>);

/** Emits a decision's events through their types, in the caller's transaction (the outbox). */
export function emitEvents<E extends { type: string }>(tx: Transaction, route: EventRoute<E>, events: readonly E[]): void {
  for (const event of events) {
    const set = typeof route === "function" ? route(event) : route;
    const type = (set as Record<string, EventType>)[event.type];
    if (!type) throw new Error(`no event type bound for ${event.type}`);
    tx.emit(type, event as never);
  }
}
