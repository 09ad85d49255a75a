import type { Knex } from "knex";
import type { Migration } from "../db/migration.js";
import { dialectOf } from "../db/database.js";

/** The outbox and inbox tables' names, shared by the code that writes and reads them. */
export const runtimeTables = { outbox: "outbox", inbox: "inbox" } as const;

/** The migrations table of the runtime's own tables (a service's own are tracked in "migrations"). */
export const runtimeMigrationsTable = "mesh_migrations";

/**
 * The tables every service's database needs for events, applied with
 * `migrate(db, runtimeMigrations, { tableName: runtimeMigrationsTable })` at start.
 */
export const runtimeMigrations: readonly Migration[] = [
  {
    // Events committed with the state change that produced them, until the relay has published them.
    name: "0001_outbox",
    async up(db: Knex) {
      const blob = dialectOf(db) === "mysql" ? "mediumblob" : "blob"; // MySQL's blob stops at 64 KiB
      await db.schema.createTable(runtimeTables.outbox, (t) => {
        t.string("id", 36).primary(); // the event id (UUIDv7): publish order and Nats-Msg-Id
        t.string("subject", 255).notNullable(); // without namespace: flower.order.OrderPlaced
        t.string("type", 255).notNullable(); // protobuf type name: flower.v1.OrderPlaced
        t.specificType("payload", blob).notNullable(); // protobuf binary
        t.string("correlation_id", 255).notNullable();
        t.string("causation_id", 255).nullable();
        t.string("traceparent", 64).nullable();
        t.datetime("occurred_at", { precision: 3 }).notNullable();
      });
    },
    async down(db: Knex) {
      await db.schema.dropTable(runtimeTables.outbox);
    },
  },
  {
    // One row per event a consumer has handled: a redelivered event finds its row and changes nothing.
    name: "0002_inbox",
    async up(db: Knex) {
      await db.schema.createTable(runtimeTables.inbox, (t) => {
        t.string("consumer", 150).notNullable();
        t.string("event_id", 64).notNullable();
        t.datetime("handled_at", { precision: 3 }).notNullable();
        t.primary(["consumer", "event_id"]);
      });
    },
    async down(db: Knex) {
      await db.schema.dropTable(runtimeTables.inbox);
    },
  },
  {
    // The pruner deletes by age.
    name: "0003_inbox_handled_at",
    async up(db: Knex) {
      await db.schema.alterTable(runtimeTables.inbox, (t) => t.index(["handled_at"], "inbox_handled_at"));
    },
    async down(db: Knex) {
      await db.schema.alterTable(runtimeTables.inbox, (t) => t.dropIndex(["handled_at"], "inbox_handled_at"));
    },
  },
  {
    // The business key (order, reservation) beside the command's correlation id: consumers order by it.
    name: "0004_outbox_business_key",
    async up(db: Knex) {
      await db.schema.alterTable(runtimeTables.outbox, (t) => t.string("business_key", 255).nullable());
    },
    async down(db: Knex) {
      await db.schema.alterTable(runtimeTables.outbox, (t) => t.dropColumn("business_key"));
    },
  },
];
