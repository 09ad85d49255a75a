import { runInContext, type CallContext } from "../context/call-context.js";
import type { Logger } from "../log/logger.js";
import type { ReceivedEvent } from "./event-type.js";
import { contextOfEvent, decode, handleOnce, settle, type ConsumerCounters, type Delivery, type Outcome } from "./handle-delivery.js";
import type { Policy } from "./policy.js";
import type { Transact } from "./transaction.js";

/** What handling deliveries in batches needs; `single` is the one-delivery path it falls back to. */
export interface BatchHandlerOptions {
  consumer: string;
  policy: Policy;
  transact: Transact;
  logger: Logger;
  counters: ConsumerCounters;
  /** Events in one transaction at most. */
  maxBatch: number;
  single(delivery: Delivery): Promise<void>;
}

interface Pending {
  delivery: Delivery;
  event: ReceivedEvent;
  ctx: CallContext;
  done: () => void;
  prepared?: unknown;
}

/**
 * Handles the deliveries that arrive together in one transaction (after each one's `prepare`): a transaction costs several
 * times the work of a typical policy (measured on SQLite: 177 µs per event alone, 34 µs in a
 * batch of 20). Each event still runs in its own context with its own inbox row, and the caller
 * (the keyed queue) never has two events of one business key in flight, so order holds. If
 * anything in a batch fails, the batch rolls back and each delivery goes the single path, which
 * retries, waits or dead-letters exactly that one.
 */
export function createBatchHandler(options: BatchHandlerOptions): (delivery: Delivery) => Promise<void> {
  const { consumer, policy, counters } = options;
  let waiting: Pending[] = [];
  let scheduled = false;

  const flush = async () => {
    let batch = waiting.slice(0, options.maxBatch);
    waiting = waiting.slice(batch.length);
    if (batch.length === 1) return options.single(batch[0].delivery).finally(batch[0].done);
    const alone: Promise<void>[] = [];
    if (policy.prepare) {
      // Calls out for every event at once, before the transaction; one that cannot be prepared
      // now goes the single path (which waits and retries it) and leaves the batch.
      const prepared = await Promise.allSettled(batch.map((p) => runInContext(p.ctx, () => policy.prepare!(p.event))));
      batch.forEach((p, i) => {
        const r = prepared[i];
        if (r.status === "fulfilled") p.prepared = r.value;
        else alone.push(options.single(p.delivery).finally(p.done));
      });
      batch = batch.filter((_, i) => prepared[i].status === "fulfilled");
    }
    if (batch.length === 0) return Promise.all(alone).then(() => undefined);
    try {
      const outcomes = await options.transact(async (tx) => {
        const results: Outcome[] = [];
        for (const { event, ctx, prepared } of batch) {
          results.push(await runInContext(ctx, () => handleOnce(tx, consumer, policy, event, prepared)));
        }
        return results;
      });
      batch.forEach(({ delivery, event, ctx, done }, i) => {
        settle(delivery.msg, event, outcomes[i], counters);
        if (options.logger.enabled("debug")) runInContext(ctx, () => options.logger.debug(outcomes[i] === "duplicate" ? "event already handled; redelivery ignored" : "event handled", { eventId: event.id, event: event.type.subject }));
        done();
      });
    } catch (error) {
      // The failing event's handler runs again on the single path (its batch work was rolled back).
      options.logger.debug("batch rolled back; handling its events one by one", { events: batch.length, error: String(error) });
      alone.push(...batch.map(({ delivery, done }) => options.single(delivery).finally(done)));
    }
    await Promise.all(alone);
  };

  const schedule = () => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    // Everything submitted in this turn of the event loop joins the batch.
    setImmediate(() => {
      flush().finally(() => {
        scheduled = false;
        schedule();
      });
    });
  };

  return (delivery) => {
    const { msg, type } = delivery;
    // Only first, decodable deliveries join a batch; the rest (malformed, redelivered after a
    // failure) go the single path, so one failing event cannot keep rolling back the events
    // batched with it.
    if (msg.info.deliveryCount > 1) return options.single(delivery);
    let event: ReceivedEvent;
    try {
      event = decode(msg, type);
    } catch {
      return options.single(delivery);
    }
    return new Promise<void>((done) => {
      waiting.push({ delivery, event, ctx: contextOfEvent(msg, event), done });
      schedule();
    });
  };
}
