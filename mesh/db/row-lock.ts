import type { Knex } from "knex";

/**
 * Locks the selected rows until the transaction ends, where the database has row locks
 * (MySQL); SQLite already serialises writers, and knex would warn on FOR UPDATE there.
 * With `when` false the query reads without a lock, so one finder serves both uses.
 */
export function forUpdate<T extends Knex.QueryBuilder>(query: T, when = true): T {
  const client = (query as unknown as { client: { config: { client: string } } }).client.config.client;
  return (when && (client === "mysql2" || client === "mysql") ? query.forUpdate() : query) as T;
}
