import type { Knex } from "knex";
import type { EnvReader } from "../config/env.js";
import { text, timestamp } from "../db/columns.js";
import { table } from "../db/table.js";
import { unavailable } from "../errors/rpc-errors.js";
import { emitEvents, type EventRoute } from "../events/domain-events.js";
import type { Transact, Transaction } from "../events/transaction.js";
import type { Logger } from "../log/logger.js";
import { wasNeverSent } from "../rpc/never-sent.js";
import type { Background } from "./define-service.js";

// A synchronous call with an effect elsewhere (payment.Pay) made by a command whose own result
// is saved only afterwards (the order). Whichever process dies at whichever moment, the effect
// is either followed by its result or undone: the call is written down (committed) before it is
// made; saving the result removes that note in the result's own transaction; a call that
// failed, or whose note outlives a bound (the process that made it died), is compensated by an
// event written to the outbox (OrderAbandoned → payment refunds). Removing the note is the
// claim, so the command and the sweeper never both win. A call that never left the process
// (breaker open, no connection) took no effect: its note is removed with nothing to undo, so the
// same key can be tried again once the dependency is back.

/** A call made and not yet followed by its result. */
export interface PendingCall {
  key: string;
  startedAt: Date;
}

/** The runtime's table of pending calls: add it to the `tables` of a service that uses compensatedCalls. */
export const pendingCalls = table<PendingCall>("pending_calls", { key: text(64).key(), startedAt: timestamp().index() }, { resource: "pending call" });

/** How long a pending call may stay unanswered before it is compensated; PENDING_CALL_TIMEOUT_MS. */
export function pendingCallTimeout(env: EnvReader): number {
  return env.int("PENDING_CALL_TIMEOUT_MS", 30_000, { min: 100 });
}

export interface CompensatedCallOptions<E extends { type: string }> {
  /** The service's database: the note is written, and removed when nothing is undone, by one statement of its own. */
  db: Knex;
  transact: Transact;
  logger: Logger;
  /** Where the compensating event goes: the event set of the table the result is saved in. */
  events: EventRoute<E>;
  /** The event that undoes the call's effect for `key`, e.g. OrderAbandoned. */
  compensation(key: string, reason: string): E;
  /** Longer than any call can take (timeouts times attempts); older pending calls are compensated. */
  abandonAfterMs: number;
  /** How often the sweeper looks; a fifth of abandonAfterMs by default. */
  sweepEveryMs?: number;
}

export interface RunOptions<R> {
  /** The error for a result that shows the call took no effect (a declined payment): thrown, with nothing to compensate. */
  refusal?(result: R): Error | undefined;
}

export interface CompensatedCalls {
  /**
   * Makes `call` for `key`, then saves its result with `record` in one transaction. When the call
   * fails, or `record` throws (a declined payment, say), the effect is compensated and the error
   * rethrown; a call that never left the process (a mesh client's, breaker open or no connection)
   * is not. When the sweeper compensated it first, the result is not saved: UNAVAILABLE.
   */
  run<R, T>(key: string, call: () => Promise<R>, record: (tx: Transaction, result: R) => Promise<T>, options?: RunOptions<R>): Promise<T>;
  /** Compensates every call pending longer than the bound; returns how many. */
  sweep(): Promise<number>;
  /** The sweeper, to return among the service's background parts. */
  sweeper: Background;
}

/** Creates the compensated calls of one service (one kind of effect, one compensating event). */
export function compensatedCalls<E extends { type: string }>(options: CompensatedCallOptions<E>): CompensatedCalls {
  const { db, transact, logger, abandonAfterMs } = options;
  const claim = async (on: Knex, key: string, olderThan?: Date) =>
    (olderThan === undefined
      ? await pendingCalls.delete(on, { key })
      : await on(pendingCalls.name).where(pendingCalls.column("key"), key).where(pendingCalls.column("startedAt"), "<", olderThan).delete()) === 1;
  const compensate = (key: string, reason: string, olderThan?: Date) => transact(async (tx) => {
    if (!(await claim(tx.db, key, olderThan))) return false;
    emitEvents(tx, options.events, [options.compensation(key, reason.slice(0, 300))]);
    return true;
  });
  const abandon = async (key: string, reason: string) => {
    try {
      if (await compensate(key, reason)) logger.warn("call compensated", { key, reason });
    } catch (error) {
      // The note is still there: the sweeper compensates it once it is old enough.
      logger.error("could not compensate a call now; the sweeper will", { key, error: String(error) });
    }
  };

  const sweep = async () => {
    const cutoff = new Date(Date.now() - abandonAfterMs);
    const stale = await transact((tx) =>
      pendingCalls.list(tx.db, { match: (q, column) => q.where(column("startedAt"), "<", cutoff), orderBy: [["startedAt", "asc"]], limit: 500 }));
    let count = 0;
    for (const { key } of stale) {
      if (await compensate(key, `no result within ${abandonAfterMs} ms`, cutoff)) {
        count++;
        logger.warn("pending call compensated by the sweeper", { key });
      }
    }
    return count;
  };

  return {
    async run(key, call, record, runOptions) {
      await pendingCalls.insert(db, { key, startedAt: new Date() });
      let result;
      try {
        result = await call();
      } catch (error) {
        if (wasNeverSent(error)) await claim(db, key).catch(() => undefined);
        else await abandon(key, messageOf(error));
        throw error;
      }
      const refusal = runOptions?.refusal?.(result);
      if (refusal) {
        // Nothing to undo; a note left behind by a failure here is compensated later, harmlessly.
        await claim(db, key).catch(() => undefined);
        throw refusal;
      }
      let swept = false;
      try {
        return await transact(async (tx) => {
          if (!(await claim(tx.db, key))) {
            swept = true;
            throw unavailable("the answer came too late and was undone; nothing is charged; try again", 1000);
          }
          return record(tx, result);
        });
      } catch (error) {
        if (!swept) await abandon(key, messageOf(error));
        throw error;
      }
    },
    sweep,
    sweeper: every(options.sweepEveryMs ?? Math.max(50, Math.floor(abandonAfterMs / 5)), sweep, logger),
  };
}

function messageOf(error: unknown): string {
  return (error as { rawMessage?: string } | null)?.rawMessage ?? (error instanceof Error ? error.message : String(error));
}

function every(ms: number, work: () => Promise<unknown>, logger: Logger): Background {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(work).catch((error) => logger.warn("pending-call sweep failed; retrying", { error: String(error) }));
  }, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
