// Reports arrive out of order (a payment's refund before its approval, a delivery's start after
// its completion): what is known of a status only moves forward along its ranks.

/** Of the status known and the one reported, the one further along `rank`; either may be missing. */
export function further<S extends string>(rank: Record<S, number>, current: S, reported: S | undefined): S;
export function further<S extends string>(rank: Record<S, number>, current: S | undefined, reported: S | undefined): S | undefined;
export function further<S extends string>(rank: Record<S, number>, current: S | undefined, reported: S | undefined): S | undefined {
  if (reported === undefined) return current;
  return current === undefined || rank[reported] > rank[current] ? reported : current;
}
