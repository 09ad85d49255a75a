import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { DomainInit } from "../proto/domain-form.js";
import type { EventType } from "./event-type.js";

/**
 * One database transaction of a service: state changes through `db`, events through `emit`.
 * Emitted events are written to the outbox in the same transaction and published after commit.
 */
export interface Transaction {
  db: Knex;
  /** Emits an event (its message, or its domain form) with the current command's correlation id and its type's business key. */
  emit<D extends DescMessage>(type: EventType<D>, data: DomainInit<MessageShape<D>>): void;
}

/** Runs `work` in one transaction; emitted events are committed with it and then published. */
export type Transact = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;
