import type { Knex } from "knex";

/** A schema change of one service, applied once, in name order, at start. */
export interface Migration {
  /** Sorts the migrations; e.g. "0001_orders". */
  name: string;
  up(db: Knex): Promise<void>;
  down?(db: Knex): Promise<void>;
}
