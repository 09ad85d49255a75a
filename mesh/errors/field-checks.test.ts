import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { fieldChecks } from "./field-checks.js";

const problems = (check: () => void): Array<[string, string]> => {
  try {
    check();
  } catch (error) {
    return ConnectError.from(error).findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v): [string, string] => [v.field, v.description]));
  }
  return [];
};

test("upcomingDay: a calendar day written YYYY-MM-DD that is not over everywhere on Earth yet", () => {
  const now = new Date("2026-11-30T10:00:00Z"); // 22:00 on the 29th at UTC-12
  const day = (value: string) => problems(() => fieldChecks().upcomingDay("date", value, now).throwIfInvalid());
  for (const ok of ["2026-11-29", "2026-11-30", "2026-12-24", "2030-02-28"]) assert.deepEqual(day(ok), [], ok);
  assert.deepEqual(day("2026-11-28"), [["date", "must be today or later; 2026-11-28 has passed"]]);
  assert.deepEqual(day("2026-02-30"), [["date", "must be a day written YYYY-MM-DD, such as 2026-12-01"]], "no such day");
  for (const bad of ["", "24/12/2026", "2026-1-5", "2026-12-24T00:00:00Z", "２０２６-12-24"]) {
    assert.equal(day(bad)[0]?.[1], "must be a day written YYYY-MM-DD, such as 2026-12-01", JSON.stringify(bad));
  }
  assert.deepEqual(problems(() => fieldChecks().upcomingDay("date", "2026-11-29", new Date("2026-11-30T12:00:01Z")).throwIfInvalid()),
    [["date", "must be today or later; 2026-11-29 has passed"]], "over at UTC-12 too");
});
