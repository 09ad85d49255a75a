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
    pageSize: (value) => self.check(Number.isInteger(value) && value >= 0 && value <= MAX_PAGE_SIZE, "pageSize", pageSizeRule),
    throwIfInvalid() {
      if (violations.length > 0) throw invalidArgument(violations);
    },
  };
  return self;
}
