import type { Knex } from "knex";
import type { Logger } from "../log/logger.js";
import { runtimeTables } from "./runtime-migrations.js";

/** The inbox pruner's handle: stopped at shutdown. */
export interface InboxPruner {
  /** Deletes the rows older than the retention now; returns how many. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Keeps the inbox from growing for ever: a row only matters while its event can still be
 * delivered, i.e. while the stream keeps it, so rows older than the stream's retention (plus a
 * day's margin) go. With no retention (0), events are kept for ever and so are inbox rows.
 */
export function createInboxPruner(options: { db: Knex; retentionMs: number; everyMs?: number; logger: Logger }): InboxPruner {
  const { db, retentionMs, logger } = options;
  const marginMs = 24 * 3600_000;
  const prune = async () => {
    if (retentionMs <= 0) return 0;
    const cutoff = new Date(Date.now() - retentionMs - marginMs);
    const deleted = await db(runtimeTables.inbox).where("handled_at", "<", cutoff).delete();
    if (deleted > 0) logger.info("inbox pruned", { deleted, olderThan: cutoff.toISOString() });
    return deleted;
  };
  const timer = retentionMs > 0
    ? setInterval(() => prune().catch((error) => logger.warn("could not prune the inbox", { error })), options.everyMs ?? 3600_000)
    : undefined;
  timer?.unref();
  return {
    prune,
    async stop() {
      clearInterval(timer);
    },
  };
}
