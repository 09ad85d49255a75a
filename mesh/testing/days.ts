import { dayOf } from "../errors/field-checks.js";

/** The calendar day `days` after today (UTC), written YYYY-MM-DD: a stay or a cleaning that is always bookable. */
export function daysAhead(days: number): string {
  return dayOf(new Date(), days);
}
