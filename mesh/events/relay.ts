import type { Knex } from "knex";
import { headers as natsHeaders, type NatsConnection } from "nats";
import { contextHeaderNames } from "../context/call-context.js";
import { dialectOf } from "../db/database.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { eventHeaderNames } from "./event-headers.js";
import { runtimeTables } from "./runtime-migrations.js";
import { namespacedSubject } from "./subjects.js";
import type { OutboxRow } from "./transact.js";

/** What the outbox relay needs. */
export interface OutboxRelayOptions {
  db: Knex;
  nc: NatsConnection;
  namespace: string;
  logger: Logger;
  metrics: Pick<MeshMetrics, "outboxBacklog" | "outboxPublished">;
  /** Rows claimed and published (concurrently) per round. Default 256. */
  batchSize?: number;
  /** How often to look for rows nobody woke us for (another replica's, or after a restart). Default 200 ms. */
  pollMs?: number;
  /** false: never publish (tests that "crash" between commit and publish). Default true. */
  enabled?: boolean;
  /** How long to wait for JetStream to acknowledge one publish. Default 5000 ms. */
  publishTimeoutMs?: number;
}

/** Publishes committed events from the outbox to JetStream. */
export interface OutboxRelay {
  /** Starts publishing in the background. */
  start(): void;
  /** New rows were committed: publish soon (wake-ups coalesce). */
  wake(): void;
  /** Publishes everything pending now; rejects if a publish fails. */
  flush(): Promise<void>;
  /** Stops after the round in progress. */
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Creates the relay that moves committed events from the outbox to JetStream: in id order,
 * many publishes in flight per round, each with Nats-Msg-Id = event id so that a re-publish
 * after a crash is de-duplicated; rows are deleted once JetStream has them. While NATS is
 * down rows stay and the relay retries with backoff, so no event is lost.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, nc, namespace, logger, metrics } = options;
  const batchSize = options.batchSize ?? 256;
  const pollMs = options.pollMs ?? 200;
  const enabled = options.enabled ?? true;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const mysql = dialectOf(db) === "mysql";
  const js = nc.jetstream({ timeout: publishTimeoutMs });

  let running = false;
  let loop: Promise<void> | undefined;
  let woken = false;
  let sleeper: { wakeable: boolean; done: () => void } | undefined;
  let lastBacklogAt = 0;
  let lastBacklog = 0;
  let exclusive: Promise<unknown> = Promise.resolve(); // rounds never overlap in one process

  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = exclusive.then(fn, fn);
    exclusive = next.catch(() => {});
    return next;
  };

  // One round: claim up to batchSize rows, publish them all, delete those JetStream acknowledged.
  const round = (): Promise<number> =>
    serially(async () => {
      if (!mysql) return publishRows(db); // SQLite has one writer: no claim needed
      for (;;) {
        try {
          // MySQL: replicas skip each other's claimed rows; READ COMMITTED takes no gap locks,
          // so services keep inserting into the outbox while a round publishes.
          return await db.transaction((trx) => publishRows(trx), { isolationLevel: "read committed" });
        } catch (err) {
          if (!isLockConflict(err)) throw err;
          // Two replicas' rounds collided: the loser rolled back; its rows go out again (de-duplicated).
          logger.debug("outbox round rolled back by a lock conflict; retrying", { error: err });
        }
      }
    });

  const publishRows = async (q: Knex | Knex.Transaction): Promise<number> => {
    let select = q<OutboxRow>(runtimeTables.outbox).select("*").orderBy("id").limit(batchSize);
    if (mysql) select = select.forUpdate().skipLocked();
    const rows = (await select) as OutboxRow[];
    if (rows.length === 0) return 0;
    const results = await Promise.allSettled(rows.map((row) => publish(row)));
    const published = rows.filter((_, i) => results[i].status === "fulfilled").map((r) => r.id);
    if (published.length > 0) {
      if (mysql) {
        // Not `WHERE id IN (…)`: InnoDB reads one record past each IN-list range, so two
        // replicas deleting neighbouring claims deadlock (measured). Joining a derived list of
        // ids makes every row a unique-key lookup that touches only rows this round holds.
        const list = published.map(() => "SELECT ? AS id").join(" UNION ALL ");
        await q.raw(`DELETE o FROM ?? o JOIN (${list}) claimed ON o.id = claimed.id`, [runtimeTables.outbox, ...published]);
      } else {
        await q(runtimeTables.outbox).whereIn("id", published).delete();
      }
      metrics.outboxPublished.inc(published.length);
    }
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) {
      throw new Error(`${rows.length - published.length} of ${rows.length} events not published: ${String(failure.reason?.message ?? failure.reason)}`, {
        cause: failure.reason,
      });
    }
    return rows.length;
  };

  const publish = async (row: OutboxRow): Promise<void> => {
    const h = natsHeaders();
    h.set(eventHeaderNames.eventType, row.type);
    h.set(eventHeaderNames.occurredAt, new Date(row.occurred_at).toISOString());
    h.set(contextHeaderNames.correlationId, row.correlation_id);
    h.set(eventHeaderNames.businessKey, row.business_key ?? row.correlation_id); // rows written before the key was kept
    if (row.causation_id) h.set(contextHeaderNames.causationId, row.causation_id);
    if (row.traceparent) h.set(contextHeaderNames.traceparent, row.traceparent);
    const ack = await js.publish(namespacedSubject(namespace, row.subject), row.payload, { msgID: row.id, headers: h });
    if (ack.duplicate) logger.debug("event already in JetStream (re-publish de-duplicated)", { eventId: row.id, seq: ack.seq });
  };

  const updateBacklog = async (force = false) => {
    if (!force && Date.now() - lastBacklogAt < 1000) return;
    lastBacklogAt = Date.now();
    try {
      const row = await db(runtimeTables.outbox).count({ n: "*" }).first();
      lastBacklog = Number(row?.n ?? 0);
      metrics.outboxBacklog.set(lastBacklog);
    } catch (err) {
      logger.debug("could not count the outbox backlog", { error: err });
    }
  };

  const sleep = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeper = undefined;
        resolve();
      }
      sleeper = { wakeable, done };
    });

  const run = async () => {
    let failures = 0;
    while (running) {
      woken = false;
      let claimed: number;
      try {
        claimed = await round();
        if (failures > 0) logger.info("outbox relay publishing again", { afterFailures: failures });
        failures = 0;
      } catch (err) {
        failures++;
        const backoffMs = Math.min(100 * 2 ** failures, MAX_BACKOFF_MS);
        logger.warn("outbox relay could not publish; events kept, retrying", { error: err, retryInMs: backoffMs });
        await updateBacklog(true);
        await sleep(backoffMs, false); // a burst of commits must not hammer a broker that is down
        continue;
      }
      if (claimed === batchSize) {
        await updateBacklog();
        continue; // more are waiting
      }
      // At most once a second while busy (a COUNT per round would double the relay's queries), but
      // never asleep on a stale backlog: one counted while rows were being committed would stay until the next poll.
      await updateBacklog(!woken && lastBacklog !== 0);
      if (!woken && running) await sleep(pollMs, true);
    }
  };

  return {
    start() {
      if (!enabled || running) return;
      running = true;
      loop = run();
    },
    wake() {
      woken = true;
      if (sleeper?.wakeable) sleeper.done();
    },
    async flush() {
      if (!enabled) return;
      while ((await round()) === batchSize) {
        // keep going until a round finds less than a full batch
      }
      await updateBacklog(true);
    },
    async stop() {
      running = false;
      sleeper?.done();
      await loop;
      await exclusive;
    },
  };
}

function isLockConflict(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT";
}
