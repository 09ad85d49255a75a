import { fieldChecks, type FieldChecks } from "../../mesh/index.js";

// Field rules more than one cleaning context applies.

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A well-formed id (what newId() makes, or a caller's short key): else INVALID_ARGUMENT naming `field`. */
export const checkId = (checks: FieldChecks, field: string, value: string): FieldChecks =>
  checks.check(ID.test(value), field, value === "" ? "is required" : "must be an id: 1 to 64 letters, digits, - or _");

/** Field checks for a request naming one id. */
export const idChecks = (field: string, value: string): FieldChecks => checkId(fieldChecks(), field, value);
