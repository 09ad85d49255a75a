import { text, timestamp } from "../db/columns.js";
import { table, type Table } from "../db/table.js";
import type { ReceivedEvent } from "../events/event-type.js";
import type { Transaction } from "../events/transaction.js";
import type { Repository } from "../service/repository.js";

// The history half of a system's view (CQRS): one step per event that changed a case (an order,
// a reservation, a request), with when it happened and when the view recorded it, so a customer
// follows every step and the view's lag is measured. The other half, the case's row, is each
// view's own.

/** One event that changed a case, as the view recorded it. */
export interface ViewStep {
  eventId: string;
  /** The order, reservation or request (the event's business key unless told otherwise). */
  caseId: string;
  /** The event's name, e.g. "PaymentApproved". */
  event: string;
  description: string;
  correlationId: string;
  occurredAt: Date;
  recordedAt: Date;
}

/** A view's table of steps: `caseColumn` names the case id's SQL column (e.g. "order_id"). */
export function stepsTable(name: string, caseColumn: string): Table<ViewStep> {
  return table<ViewStep>(name, {
    eventId: text(64).key(), caseId: text(64).index().named(caseColumn), event: text(40), description: text(300), correlationId: text(255),
    occurredAt: timestamp(), recordedAt: timestamp(),
  });
}

/** Writing and reading a view's steps. */
export interface ViewSteps {
  /** Records `event` as a step of its case, in the projection's transaction (the event id keeps a redelivery from counting twice). */
  record(tx: Transaction, event: ReceivedEvent, description: string, options?: { caseId?: string; now?: Date }): Promise<void>;
  /** Each row with the steps of its case, in the order they happened. */
  attach<R>(rows: readonly R[], caseOf: (row: R) => string): Promise<Array<R & { steps: ViewStep[] }>>;
}

/** Writes and reads the steps of a view through its repository (`viewSteps(repository(steps))`). */
export function viewSteps(steps: Repository<ViewStep>): ViewSteps {
  return {
    async record(tx, event, description, { caseId = event.businessKey, now = new Date() } = {}) {
      const { id: eventId, type, correlationId, occurredAt } = event;
      await steps.table.insert(tx.db, { eventId, caseId, event: type.name, description: description.slice(0, 300), correlationId, occurredAt, recordedAt: now });
    },
    async attach(rows, caseOf) {
      const ids = [...new Set(rows.map(caseOf))];
      const stepsOf = new Map(ids.map((id) => [id, [] as ViewStep[]]));
      if (ids.length > 0) {
        const all = await steps.list({
          match: (q, column) => q.whereIn(column("caseId"), ids), orderBy: [["occurredAt", "asc"], ["eventId", "asc"]], limit: ids.length * 100,
        });
        for (const step of all) stepsOf.get(step.caseId)!.push(step);
      }
      return rows.map((row) => ({ ...row, steps: stepsOf.get(caseOf(row))! }));
    },
  };
}
