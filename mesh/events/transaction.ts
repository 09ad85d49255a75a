import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { EventType } from "./event-type.js";

/**
 * One database transaction of a service: state changes through `db`, events through `emit`.
 * Emitted events are written to the outbox in the same transaction and published after commit.
 */
export interface Transaction {
  db: Knex.Transaction;
  emit<D extends DescMessage>(type: EventType<D>, data: MessageInitShape<D>, options?: EmitOptions): void;
}

export interface EmitOptions {
  /** The saga's business key; defaults to the current call context's correlation id. */
  correlationId?: string;
}

/** Runs `work` in one transaction; emitted events are committed with it and then published. */
export type Transact = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;
