const codeOf = (error: unknown) => String((error as { code?: string } | null)?.code ?? "");

/** True for a write refused because another row holds the same key or unique fields (SQLite and MySQL). */
export function isDuplicateKey(error: unknown): boolean {
  return ["ER_DUP_ENTRY", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"].includes(codeOf(error));
}

/**
 * True when a write lost a race with another transaction over the same rows: a duplicate key,
 * or InnoDB choosing this transaction as a deadlock's victim. Deciding again, on what the winner
 * wrote, is right.
 */
export function isLostRace(error: unknown): boolean {
  return isDuplicateKey(error) || codeOf(error) === "ER_LOCK_DEADLOCK";
}
