import assert from "node:assert/strict";
import { test } from "node:test";
import { migrate } from "../db/migrate.js";
import { createTestDatabase, testDialects } from "../db/database-fixtures.js";
import { captureLogs } from "./event-fixtures.js";
import { createInboxPruner } from "./inbox-pruner.js";
import { runtimeMigrations, runtimeTables } from "./runtime-migrations.js";

const hour = 3600_000;

for (const dialect of testDialects) {
  test(`inbox pruning (${dialect}): rows past the retention and a day's margin go, the rest stay`, async () => {
    const t = await createTestDatabase(dialect);
    try {
      await migrate(t.db, runtimeMigrations, { tableName: "mesh_migrations" });
      const now = Date.now();
      await t.db(runtimeTables.inbox).insert([
        { consumer: "c", event_id: "old", handled_at: new Date(now - 200 * hour) },
        { consumer: "c", event_id: "in-margin", handled_at: new Date(now - 180 * hour) },
        { consumer: "c", event_id: "new", handled_at: new Date(now - hour) },
      ]);
      const { logger } = captureLogs();
      const pruner = createInboxPruner({ db: t.db, retentionMs: 168 * hour, logger });
      assert.equal(await pruner.prune(), 1);
      assert.deepEqual((await t.db(runtimeTables.inbox).orderBy("event_id")).map((r) => r.event_id), ["in-margin", "new"]);
      await pruner.stop();
      const forEver = createInboxPruner({ db: t.db, retentionMs: 0, logger });
      assert.equal(await forEver.prune(), 0, "no retention: nothing is pruned");
      await forEver.stop();
    } finally {
      await t.drop();
    }
  });
}
