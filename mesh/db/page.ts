import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { invalidArgument } from "../errors/rpc-errors.js";

// Lists that page (Google's AIP-158): newest first, keyset-ordered on one field and then the key,
// so a page costs one indexed range read however deep the caller has walked, and rows written
// meanwhile neither repeat nor vanish. The token is opaque to callers: the last row's position and
// a fingerprint of the filter it was made for.

/** One page's request, as every list RPC takes it. */
export interface PageRequest {
  /** 0 for the default (100); at most 1000. */
  pageSize: number;
  /** Empty for the first page; otherwise a `nextPageToken` of the same query. */
  pageToken: string;
}

/** One page, and the token of the next (empty on the last). */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const pageSizeRule = `must be between 0 and ${MAX_PAGE_SIZE} (0 for ${DEFAULT_PAGE_SIZE})`;

/** A position: the values of the ordering fields (Dates as `{ d: iso }`) of the last row served. */
type Position = unknown[];

/** The rows' size to read, or INVALID_ARGUMENT naming pageSize. */
export function pageSizeOf(request: PageRequest): number {
  const size = request.pageSize;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw invalidArgument({ field: "pageSize", description: pageSizeRule });
  }
  return size || DEFAULT_PAGE_SIZE;
}

/** A fingerprint of what a list was filtered by: a token only continues the query that made it. */
export function filterFingerprint(filter: unknown): string {
  const text = JSON.stringify(filter ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return createHash("sha256").update(text).digest("base64url").slice(0, 12);
}

export function encodePageToken(position: Position, fingerprint: string): string {
  const values = position.map((v) => (v instanceof Date ? { d: v.toISOString() } : v));
  return Buffer.from(JSON.stringify({ f: fingerprint, p: values })).toString("base64url");
}

/** The position a token names, or INVALID_ARGUMENT naming pageToken. */
export function decodePageToken(token: string, fingerprint: string, length: number): Position {
  const bad = (why: string) => invalidArgument({ field: "pageToken", description: why });
  if (token.length > 2000 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad("is not a token this list gave out");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw bad("is not a token this list gave out");
  }
  const { f, p } = (parsed ?? {}) as { f?: unknown; p?: unknown };
  if (!Array.isArray(p) || p.length !== length || typeof f !== "string") throw bad("is not a token this list gave out");
  if (f !== fingerprint) throw bad("was made for a list with other filters: keep the filters of the first page, or start again without a token");
  return p.map((v) => {
    if (v && typeof v === "object" && typeof (v as { d?: unknown }).d === "string") {
      const date = new Date((v as { d: string }).d);
      if (Number.isNaN(date.getTime())) throw bad("is not a token this list gave out");
      return date;
    }
    if (typeof v !== "string" && typeof v !== "number") throw bad("is not a token this list gave out");
    return v;
  });
}

/**
 * Narrows `query` to the rows after `position` in (columns...) order: for columns c0..cn
 * descending, (c0 < v0) or (c0 = v0 and c1 < v1) or ...; values already in their SQL form.
 */
export function afterPosition(query: Knex.QueryBuilder, columns: readonly string[], values: readonly unknown[], direction: "asc" | "desc"): void {
  const beyond = direction === "desc" ? "<" : ">";
  query.where((any) => {
    columns.forEach((column, i) => {
      any.orWhere((one) => {
        for (let j = 0; j < i; j++) one.where(columns[j], values[j] as Knex.Value);
        one.where(column, beyond, values[i] as Knex.Value);
      });
    });
  });
}
