import { Code, ConnectError } from "@connectrpc/connect";
import type { Knex } from "knex";
import { isDuplicateKey, isLostRace } from "../db/lost-race.js";
import type { Page } from "../db/page.js";
import type { ListQuery, PageQuery, Table, Where } from "../db/table.js";
import { notFound, refused } from "../errors/rpc-errors.js";
import { emitEvents } from "../events/domain-events.js";
import type { Transact, Transaction } from "../events/transaction.js";
import { isRefusal, type Decision, type Outcome } from "../kernel/decision.js";

/**
 * A table of a running service, with the one command path every RPC takes: one transaction,
 * the aggregate loaded with its row locked, NOT_FOUND when it is missing, the pure decision,
 * a refusal answered as FAILED_PRECONDITION (its code as google.rpc.ErrorInfo.reason), the new
 * state and its events written together (the outbox). A transaction that loses a race with
 * another over the same rows decides again on what the winner wrote; a new aggregate whose key
 * (or unique fields) another already holds is ALREADY_EXISTS.
 */
export interface Repository<T, E extends { type: string } = never> {
  readonly table: Table<T, E>;
  /** The aggregate, or NOT_FOUND naming it. */
  get(key: Where<T>): Promise<T>;
  find(key: Where<T>, options?: { tx?: Transaction; lock?: boolean }): Promise<T | undefined>;
  list(query?: ListQuery<T>): Promise<T[]>;
  /** One page of a list (AIP-158), newest first; bad paging input is INVALID_ARGUMENT naming the field. */
  page(query: PageQuery<T>): Promise<Page<T>>;
  /** A command on an aggregate that must exist; returns it as it now stands. */
  change(key: Where<T>, decide: (current: T) => Outcome<T, E>): Promise<T>;
  /** A command that may find no aggregate yet (`current` undefined) and create it. */
  decide(key: Where<T>, decide: (current: T | undefined) => Outcome<T, E>): Promise<T>;
  /** A command that creates a new aggregate. */
  create(decide: () => Outcome<T, E>): Promise<T>;
  /** Inside the caller's transaction (a policy's): load locked, decide, record; a refusal is returned, not thrown; undefined when there is nothing to decide on. */
  apply(tx: Transaction, key: Where<T>, decide: (current: T | undefined) => Outcome<T, E> | undefined): Promise<Outcome<T, E> | undefined>;
  /** Writes a decision made in the caller's transaction: the state (unless unchanged) and its events. */
  record(tx: Transaction, decision: Decision<T, E>, previous: T | undefined): Promise<void>;
}

const attempts = 3;

/** Binds a table to a service's database and transactions. */
export function createRepository<T, E extends { type: string }>(table: Table<T, E>, ports: { db: Knex; transact: Transact }): Repository<T, E> {
  const keyText = (key: Where<T>) => (typeof key === "string" ? key : Object.values(key).join("/"));
  const record = async (tx: Transaction, decision: Decision<T, E>, previous: T | undefined) => {
    await table.save(tx.db, decision.state, previous);
    if (decision.events.length === 0) return;
    if (!table.events) throw new Error(`table ${table.name} declares no events, yet a decision on it produced ${decision.events.map((e) => e.type).join(", ")}`);
    emitEvents(tx, table.events, decision.events);
  };
  const command = async (key: Where<T> | undefined, decide: (current: T | undefined) => Outcome<T, E>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      let decided: T | undefined;
      try {
        return await ports.transact(async (tx) => {
          const current = key === undefined ? undefined : await table.find(tx.db, key, { lock: true });
          const outcome = decide(current);
          if (isRefusal(outcome)) throw refused(outcome.refused, outcome.code);
          decided = outcome.state;
          await record(tx, outcome, current);
          return outcome.state;
        });
      } catch (error) {
        if (!isLostRace(error)) throw error;
        const which = JSON.stringify(key !== undefined ? keyText(key) : decided ? table.key.map((k) => String(decided![k])).join("/") : "");
        // With nothing loaded, deciding again would decide the same: the clash is the caller's.
        if (key === undefined && isDuplicateKey(error)) throw new ConnectError(`${table.resource} ${which} already exists`, Code.AlreadyExists);
        if (attempt >= attempts) throw new ConnectError(`${table.resource} ${which} kept changing under this command; try again`, Code.Aborted);
      }
    }
  };
  return {
    table,
    async get(key) {
      const found = await table.find(ports.db, key);
      if (!found) throw notFound(table.resource, keyText(key));
      return found;
    },
    find: (key, { tx, lock } = {}) => table.find(tx?.db ?? ports.db, key, { lock }),
    list: (query) => table.list(ports.db, query),
    page: (query) => table.page(ports.db, query),
    change: (key, decide) => command(key, (current) => {
      if (current === undefined) throw notFound(table.resource, keyText(key));
      return decide(current);
    }),
    decide: (key, decide) => command(key, decide),
    create: (decide) => command(undefined, () => decide()),
    async apply(tx, key, decide) {
      const current = await table.find(tx.db, key, { lock: true });
      const outcome = decide(current);
      if (outcome && !isRefusal(outcome)) await record(tx, outcome, current);
      return outcome;
    },
    record,
  };
}
