import { Code, ConnectError } from "@connectrpc/connect";

// MySQL's refusals of a value that came in with the request: too long for its column, not of
// its column's type or character set, out of its range. SQLite stores them as they are.
const refusedValues: Record<number, string> = {
  1406: "a value is longer than it may be",
  1366: "a value is not of the kind it must be (a number, or text in a character set it can store)",
  1264: "a number is out of the range it may take",
  1292: "a value is not of the kind it must be",
};

/**
 * INVALID_ARGUMENT for a database's refusal of a value that the request carried, so that input
 * a field check missed answers 400 instead of INTERNAL (which breakers and Istio count as the
 * service failing); undefined for every other error. The column is named, the value never.
 */
export function storedValueRefusal(err: unknown): ConnectError | undefined {
  const e = err as { errno?: unknown; sqlMessage?: unknown } | undefined;
  if (!(err instanceof Error) || typeof e?.errno !== "number" || !(e.errno in refusedValues)) return undefined;
  const column = typeof e.sqlMessage === "string" ? /column '?`?([\w.`]+?)`?'? at row/.exec(e.sqlMessage)?.[1] : undefined;
  return new ConnectError(`${refusedValues[e.errno]}${column ? ` (${column.split(/[.`]+/).pop()})` : ""}`, Code.InvalidArgument, undefined, undefined, err);
}
