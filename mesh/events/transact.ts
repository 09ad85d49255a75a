import { toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { currentContext } from "../context/call-context.js";
import { insertRows } from "../db/sqlite-direct.js";
import { transactionsOf } from "../db/transactions.js";
import { childSpan, formatTraceparent } from "../context/trace.js";
import { newId } from "../ids.js";
import { toMessage, type DomainInit } from "../proto/domain-form.js";
import type { EventType } from "./event-type.js";
import { runtimeTables } from "./runtime-migrations.js";
import type { Transact, Transaction } from "./transaction.js";
import type { MeshMetrics } from "../telemetry/metrics.js";

/** What createTransact needs: the service's database and whom to tell that events were committed. */
export interface TransactOptions {
  db: Knex;
  /** Called after a commit that wrote events: the relay's wake-up, so they go out at once. */
  onCommit?: () => void;
  /** Counts each commit (the bench's floor counts what a saga costs in commits). */
  metrics?: Pick<MeshMetrics, "transactions">;
}

/** An outbox row as written by emit and read by the relay. */
export interface OutboxRow {
  id: string;
  subject: string;
  type: string;
  payload: Buffer;
  correlation_id: string;
  /** The order, reservation or request the event is about; consumers keep each key's events in order. */
  business_key: string | null;
  causation_id: string | null;
  traceparent: string | null;
  occurred_at: Date;
}

/**
 * Creates the service's `transact`: the state change and the events it emits are committed
 * together (the transactional outbox), so an event is never published for a change that
 * rolled back, and never lost for one that committed.
 */
export function createTransact(options: TransactOptions): Transact {
  const { db, onCommit, metrics } = options;
  const inTransaction = transactionsOf(db);
  return async (work) => {
    const rows: OutboxRow[] = [];
    let open = true;
    const result = await inTransaction(async (trx) => {
      const tx: Transaction = {
        db: trx,
        emit(type, data) {
          if (!open) throw new Error(`emit(${type.subject}) after its transaction finished: await the work that emits`);
          rows.push(outboxRow(type, data));
        },
      };
      let value;
      try {
        value = await work(tx);
      } finally {
        open = false;
      }
      await insertRows(trx, runtimeTables.outbox, rows);
      return value;
    });
    metrics?.transactions.inc();
    if (rows.length > 0) onCommit?.();
    return result;
  };
}

// The correlation id is the command's (the caller's x-correlation-id, carried through every hop);
// the business key is read off the event itself.
function outboxRow<D extends DescMessage>(type: EventType<D>, data: DomainInit<MessageShape<D>>): OutboxRow {
  const ctx = currentContext();
  const id = newId();
  const message = toMessage(type.schema, data);
  const bytes = toBinary(type.schema, message);
  return {
    id,
    subject: type.subject,
    type: type.schema.typeName,
    payload: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    correlation_id: ctx?.correlationId || id,
    business_key: type.keyOf(message),
    causation_id: ctx?.causationId ?? null,
    traceparent: formatTraceparent(ctx?.trace ?? childSpan()),
    occurred_at: new Date(),
  };
}
