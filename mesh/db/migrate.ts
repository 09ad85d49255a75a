import { setTimeout as sleep } from "node:timers/promises";
import type { Knex } from "knex";
import type { Migration } from "./migration.js";

/** Where migrate records what it applied: the runtime's own tables and a service's are tracked apart. */
export interface MigrateOptions {
  /** "mesh_migrations" for the runtime's tables, "migrations" for a service's. */
  tableName: string;
  /** How long to wait for another process that holds the migration lock. Default 30 s. */
  lockWaitMs?: number;
}

/**
 * Applies the migrations not yet applied, in name order, and returns their names. The
 * migrations live in code (no folder of files), so this works the same under tsx and
 * compiled JavaScript; replicas starting together take turns through knex's lock table.
 */
export async function migrate(db: Knex, migrations: readonly Migration[], options: MigrateOptions): Promise<string[]> {
  const source = migrationSource(migrations);
  const deadline = Date.now() + (options.lockWaitMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await prepareMigrationTables(db, options.tableName);
      const [, applied] = (await db.migrate.latest({ migrationSource: source, tableName: options.tableName })) as [number, string[]];
      return applied;
    } catch (err) {
      if (!isLockContention(err) || Date.now() > deadline) {
        if (isLockContention(err)) {
          throw new Error(
            `migrations table ${options.tableName} stayed locked: if no other process is migrating, ` +
              `a crashed one left ${options.tableName}_lock set (set is_locked = 0 to free it)`,
            { cause: err },
          );
        }
        throw err;
      }
      await sleep(Math.min(50 * attempt, 500));
    }
  }
}

// knex creates its tables and the lock table's one row with check-then-act: two replicas
// starting on an empty database can insert two lock rows, after which knex finds the table
// "already locked" forever. Create them here the same way knex would, but race-free: the
// lock row has a fixed key, and a second row left by that race in the past is removed.
async function prepareMigrationTables(db: Knex, tableName: string): Promise<void> {
  const lockTable = `${tableName}_lock`;
  if (!(await db.schema.hasTable(tableName))) {
    await db.schema.createTable(tableName, (t) => {
      t.increments();
      t.string("name");
      t.integer("batch");
      t.timestamp("migration_time");
    });
  }
  if (!(await db.schema.hasTable(lockTable))) {
    await db.schema.createTable(lockTable, (t) => {
      t.increments("index").primary();
      t.integer("is_locked");
    });
  }
  const rows: { index: number }[] = await db(lockTable).select("index").orderBy("index");
  if (rows.length === 0) await db(lockTable).insert({ index: 1, is_locked: 0 }).onConflict("index").ignore();
  // Nobody can hold a lock while there are two rows (knex's UPDATE would touch both and fail).
  if (rows.length > 1) await db(lockTable).whereNot("index", rows[0].index).delete();
}

function migrationSource(migrations: readonly Migration[]): Knex.MigrationSource<Migration> {
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`two migrations are named ${m.name}`);
    names.add(m.name);
  }
  const sorted = [...migrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    getMigrations: async () => sorted,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({
      up: (db: Knex) => m.up(db),
      // knex insists on a down; migrations only go forward here unless one says how to go back.
      down: async (db: Knex) => {
        if (!m.down) throw new Error(`migration ${m.name} cannot be undone`);
        await m.down(db);
      },
    }),
  };
}

// Another replica is migrating: it holds the lock, or created the tables a moment before us.
function isLockContention(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string };
  return (
    e.name === "MigrationLocked" ||
    /already locked/i.test(e.message ?? "") ||
    e.code === "ER_TABLE_EXISTS_ERROR" ||
    e.code === "ER_DUP_ENTRY" ||
    /already exists/i.test(e.message ?? "")
  );
}
