import { AsyncResource } from "node:async_hooks";
import type { Knex } from "knex";
import type { Background, Logger, Transact } from "../../mesh/index.js";
import type { Channel } from "./channels.js";
import { recordAttempt, type Notification, type RetrySchedule } from "./domain.js";
import { claimAttempt, listDue, notifications } from "./tables.js";

/** What the sender needs: where notifications are recorded, how they go out, and how failures are retried. */
export interface SenderOptions {
  db: Knex;
  /** The service's transactions (claims and outcomes emit no events). */
  transact: Transact;
  channel: Channel;
  retry: RetrySchedule;
  /** How often to look for due notifications when not woken. */
  pollMs: number;
  /** How long one attempt may hold a notification before another sender may take it. */
  leaseMs: number;
  logger: Logger;
  /** Notifications sent at once. */
  batchSize?: number;
}

/** The background loop that sends recorded notifications; `wake` asks it to look now. */
export interface Sender extends Background {
  wake(): void;
}

// Lets a policy's transaction commit before the sweep it asked for looks at the table;
// anything the sweep misses is found by the next poll.
const wakeDelayMs = 25;

/**
 * Starts sending pending notifications, apart from event handling, so that a slow or failing
 * channel never holds up a policy: each due notification is claimed, sent, and its outcome
 * stored (sent; due again after a backoff; or failed once attempts run out).
 */
export function startSender(options: SenderOptions): Sender {
  const { db, transact, channel, retry, logger } = options;
  const batchSize = options.batchSize ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let stopped = false;

  // Sends one claimed notification; what happened is returned, to be stored with the others.
  const attempt = async (n: Notification): Promise<Notification> => {
    let outcome: { ok: true } | { ok: false; error: string };
    try {
      await channel.send(n);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error: describe(error) };
    }
    const next = recordAttempt(n, outcome, new Date(), retry);
    const fields = { notificationId: n.id, recipient: n.recipient, channel: channel.name, attempts: next.attempts };
    if (next.status === "failed") logger.error("notification failed; no attempts left", { ...fields, error: next.lastError });
    else if (next.status === "pending") logger.warn("notification not sent; will retry", { ...fields, error: next.lastError, retryAt: next.nextAttemptAt });
    return next;
  };

  // Claims and outcomes of a whole sweep are written in one transaction each: a commit costs
  // more than the update it carries. Sends run at once, outside any transaction.
  const sweep = async () => {
    for (;;) {
      const due = await listDue(db, new Date(), batchSize);
      const now = new Date();
      const until = new Date(now.getTime() + options.leaseMs);
      const claimed = await transact(async ({ db: trx }) => {
        const mine: Notification[] = [];
        for (const n of due) if (await claimAttempt(trx, n, now, until)) mine.push(n);
        return mine;
      });
      const outcomes = await Promise.all(claimed.map(attempt));
      if (outcomes.length > 0) {
        await transact(async ({ db: trx }) => {
          // Only what the attempt changed (status, attempts, error, next attempt, sent time) is written;
          // the row as claimed holds the claim's lease as its next attempt.
          for (const [i, next] of outcomes.entries()) await notifications.save(trx, next, { ...claimed[i], nextAttemptAt: until });
        }).catch((error) => logger.warn("notification attempts not recorded; they are retried when their claim lapses", { error }));
      }
      if (due.length < batchSize || stopped) return;
    }
  };

  // One timer, moved earlier and never later, so a stream of wake-ups cannot starve the sweep.
  let timerDueAt = Infinity;
  // Sweeps run in the sender's own scope, not in the context of the event whose policy woke it.
  const scope = new AsyncResource("notification-sender");
  const schedule = (delayMs: number) => {
    const dueAt = Date.now() + delayMs;
    if (stopped || dueAt >= timerDueAt) return;
    clearTimeout(timer);
    timerDueAt = dueAt;
    timer = scope.runInAsyncScope(() => setTimeout(() => {
      timerDueAt = Infinity;
      run();
    }, delayMs));
    timer.unref(); // the service's servers keep the process alive, not this
  };

  let wokenWhileSweeping = false;
  function run() {
    if (sweeping) {
      wokenWhileSweeping = true; // one sweep at a time; another right after this one
      return;
    }
    sweeping = sweep()
      .catch((error) => logger.warn("notification sweep failed; will retry", { error }))
      .finally(() => {
        sweeping = undefined;
        const again = wokenWhileSweeping;
        wokenWhileSweeping = false;
        schedule(again ? wakeDelayMs : options.pollMs);
      });
  }

  schedule(0);
  return {
    wake: () => (sweeping ? void (wokenWhileSweeping = true) : schedule(wakeDelayMs)),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sweeping;
    },
  };
}

// fetch's "fetch failed" hides the reason in its cause (refused, reset, timed out).
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
