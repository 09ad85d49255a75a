import { MAX_PAGE_SIZE, pageSizeRule } from "../db/page.js";
import { invalidArgument, type FieldViolation } from "./rpc-errors.js";

/** Collects field violations of one request so that the client hears about all of them at once. */
export interface FieldChecks {
  /** Records `description` against `field` unless `ok`. */
  check(ok: boolean, field: string, description: string): FieldChecks;
  /** Records "is required" against `field` when `value` is empty. */
  required(field: string, value: string): FieldChecks;
  /** Records "must be at most N characters" against `field` when `value` is longer. */
  maxLength(field: string, value: string, max: number): FieldChecks;
  /** Records against `field` a `value` that is not a calendar day written YYYY-MM-DD, or a day that has passed. */
  upcomingDay(field: string, value: string, now?: Date): FieldChecks;
  /** Records a page size out of 0..1000 (paged lists; repository.page checks it too, but alone). */
  pageSize(value: number): FieldChecks;
  /** Throws INVALID_ARGUMENT naming every recorded violation; does nothing when there are none. */
  throwIfInvalid(): void;
}

/** Starts a list of field checks for one request. */
export function fieldChecks(): FieldChecks {
  const violations: FieldViolation[] = [];
  const self: FieldChecks = {
    check(ok, field, description) {
      if (!ok) violations.push({ field, description });
      return self;
    },
    required: (field, value) => self.check(value !== "", field, "is required"),
    maxLength: (field, value, max) => self.check(value.length <= max, field, `must be at most ${max} characters`),
    upcomingDay(field, value, now = new Date()) {
      if (!isCalendarDay(value)) return self.check(false, field, `must be a day written YYYY-MM-DD, such as ${dayOf(now, 1)}`);
      return self.check(value >= dayOf(now, 0, -12), field, `must be today or later; ${value} has passed`);
    },
    pageSize: (value) => self.check(Number.isInteger(value) && value >= 0 && value <= MAX_PAGE_SIZE, "pageSize", pageSizeRule),
    throwIfInvalid() {
      if (violations.length > 0) throw invalidArgument(violations);
    },
  };
  return self;
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

/**
 * The calendar day `daysAhead` after `now` at `utcOffsetHours`, written YYYY-MM-DD. The caller's
 * time zone is unknown: a day has passed once it is over everywhere (at UTC-12).
 */
export function dayOf(now: Date, daysAhead: number, utcOffsetHours = 0): string {
  return new Date(now.getTime() + (daysAhead * 24 + utcOffsetHours) * 3_600_000).toISOString().slice(0, 10);
}
