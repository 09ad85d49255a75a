// Errors as log lines show them, without the values a database error carries: knex puts the
// statement with its bound values (phone numbers, addresses) in front of the driver's message,
// mysql2 adds it again as `sql`, and MySQL quotes the offending value ("Duplicate entry '...'").

/** An Error as a log field: name, message and stack, with any SQL values replaced by `?`. */
export function errorFields(error: Error): Record<string, unknown> {
  const sqlError = isSqlError(error);
  if (!sqlError && !startsLikeSql(error.message)) return { name: error.name, message: error.message, stack: error.stack };
  const e = error as Error & { code?: unknown; errno?: unknown; sqlState?: unknown; sqlMessage?: unknown };
  const { statement, reason } = splitKnexMessage(error.message, typeof e.sqlMessage === "string" ? e.sqlMessage : undefined);
  const message = redactDriverMessage(reason);
  const out: Record<string, unknown> = { name: error.name, message };
  if (e.code !== undefined) out.code = e.code;
  if (e.errno !== undefined) out.errno = e.errno;
  if (e.sqlState !== undefined) out.sqlState = e.sqlState;
  if (statement) out.statement = statementShape(statement);
  out.stack = `${error.name}: ${message}${framesOf(error.stack)}`;
  return out;
}

/** One line that says what failed, safe to log or to put in a dead-letter header. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const f = errorFields(error);
  const where = typeof f.statement === "string" ? ` (in: ${f.statement})` : "";
  return `${f.name}: ${f.message as string}${where}`;
}

function isSqlError(error: Error): boolean {
  const e = error as Error & { code?: unknown; sqlState?: unknown; sql?: unknown };
  return e.sqlState !== undefined || e.sql !== undefined || (typeof e.code === "string" && /^(ER_|SQLITE_)/.test(e.code));
}

function startsLikeSql(message: string): boolean {
  return /^\s*(insert|update|delete|select|replace|with|alter|create)\s/i.test(message) && message.includes(" - ");
}

// knex: `${statement with values} - ${driver message}`.
function splitKnexMessage(message: string, driverMessage: string | undefined): { statement?: string; reason: string } {
  if (driverMessage && message.endsWith(` - ${driverMessage}`)) {
    return { statement: message.slice(0, message.length - driverMessage.length - 3), reason: driverMessage };
  }
  if (!startsLikeSql(message)) return { reason: message };
  const cut = message.lastIndexOf(" - ");
  return { statement: message.slice(0, cut), reason: message.slice(cut + 3) };
}

// Identifiers stay; string, hex and number literals become ?.
const literal = /(`[^`]*`|"[^"]*")|[xX]'[0-9a-fA-F]*'|'(?:[^'\\]|\\.|'')*'|(?<![\w$])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w$])/g;

/** The statement with every literal value replaced by `?`: what ran, not what it held. */
export function statementShape(sql: string): string {
  return sql.replace(literal, (match, identifier: string | undefined) => identifier ?? "?");
}

// MySQL quotes the value after "entry" (duplicate key) and "value:" (wrong type or bytes).
function redactDriverMessage(message: string): string {
  return message.replace(/\b(entry|value:?) '(?:[^'\\]|\\.|'')*'/gi, "$1 ?");
}

function framesOf(stack: string | undefined): string {
  const at = stack?.indexOf("\n    at ") ?? -1;
  return at >= 0 ? stack!.slice(at) : "";
}
