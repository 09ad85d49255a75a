import { invalidArgument, type FieldViolation } from "./rpc-errors.js";

/** Collects field violations of one request so that the client hears about all of them at once. */
export interface FieldChecks {
  /** Records `description` against `field` unless `ok`. */
  check(ok: boolean, field: string, description: string): FieldChecks;
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
    throwIfInvalid() {
      if (violations.length > 0) throw invalidArgument(violations);
    },
  };
  return self;
}
