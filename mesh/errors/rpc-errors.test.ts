import assert from "node:assert/strict";
import { test } from "node:test";
import { Code } from "@connectrpc/connect";
import { BadRequestSchema, PreconditionFailureSchema, ResourceInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { fieldChecks } from "./field-checks.js";
import { notFound, refused, unavailable } from "./rpc-errors.js";

test("field checks name every bad field in the message and in BadRequest details", () => {
  const checks = fieldChecks().check(true, "ok", "never").check(false, "qty", "must be at least 1").check(false, "address", "is required");
  assert.throws(() => checks.throwIfInvalid(), (e: any) => {
    assert.equal(e.code, Code.InvalidArgument);
    assert.equal(e.rawMessage, "qty: must be at least 1; address: is required");
    assert.deepEqual(e.findDetails(BadRequestSchema)[0].fieldViolations.map((v: { field: string }) => v.field), ["qty", "address"]);
    return true;
  });
  fieldChecks().check(true, "x", "y").throwIfInvalid();
});

test("field checks: required and maxLength word their violations alike", () => {
  const checks = fieldChecks().required("name", "").required("id", "x").maxLength("note", "abcd", 3).maxLength("tag", "abc", 3);
  assert.throws(() => checks.throwIfInvalid(), (e: any) => {
    assert.equal(e.rawMessage, "name: is required; note: must be at most 3 characters");
    return true;
  });
});

test("not found, refused and unavailable carry their codes and details", () => {
  const nf = notFound("order", "o-1");
  assert.equal(nf.code, Code.NotFound);
  assert.equal(nf.rawMessage, 'order "o-1" not found');
  assert.equal(nf.findDetails(ResourceInfoSchema)[0].resourceName, "o-1");
  const r = refused("out of stock", "OUT_OF_STOCK");
  assert.equal(r.code, Code.FailedPrecondition);
  assert.equal(r.findDetails(PreconditionFailureSchema)[0].violations[0].type, "OUT_OF_STOCK");
  const u = unavailable("pay later", 5000);
  assert.equal(u.code, Code.Unavailable);
  assert.equal(u.findDetails(RetryInfoSchema)[0].retryDelay?.seconds, 5n);
});
