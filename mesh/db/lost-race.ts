/**
 * True when a write lost a race with another transaction over the same rows: a duplicate key
 * (SQLite: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; MySQL: ER_DUP_ENTRY), or InnoDB choosing
 * this transaction as a deadlock's victim. Deciding again, on what the winner wrote, is right.
 */
export function isLostRace(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? "";
  return ["ER_DUP_ENTRY", "ER_LOCK_DEADLOCK", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"].includes(code);
}

/** True for a duplicate key alone. */
export function isDuplicateKey(error: unknown): boolean {
  const code = String((error as { code?: string } | null)?.code ?? "");
  return code === "ER_DUP_ENTRY" || code.startsWith("SQLITE_CONSTRAINT");
}
