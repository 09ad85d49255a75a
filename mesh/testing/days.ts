/** The calendar day `days` after today (UTC), written YYYY-MM-DD: a stay or a cleaning that is always bookable. */
export function daysAhead(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
