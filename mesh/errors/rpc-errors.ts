import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  PreconditionFailureSchema,
  ResourceInfoSchema,
  RetryInfoSchema,
} from "../../gen/google/rpc/error_details_pb.js";

/** One invalid field of a request: its JSON name and why it is wrong. */
export interface FieldViolation {
  field: string;
  description: string;
}

const detail = <D extends DescMessage>(desc: D, value: MessageInitShape<D>) => ({ desc, value });

/** INVALID_ARGUMENT naming every bad field (message and google.rpc.BadRequest details). */
export function invalidArgument(violations: FieldViolation | FieldViolation[]): ConnectError {
  const list = Array.isArray(violations) ? violations : [violations];
  const message = list.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    detail(BadRequestSchema, { fieldViolations: list.map((v) => ({ field: v.field, description: v.description })) }),
  ]);
}

/** NOT_FOUND for an unknown id, with google.rpc.ResourceInfo. */
export function notFound(resourceType: string, id: string): ConnectError {
  return new ConnectError(`${resourceType} ${JSON.stringify(id)} not found`, Code.NotFound, undefined, [
    detail(ResourceInfoSchema, { resourceType, resourceName: id }),
  ]);
}

/**
 * FAILED_PRECONDITION: a rule of the domain refused the command; `reason` is for people,
 * `type` is a stable machine-readable code (e.g. "OUT_OF_STOCK").
 */
export function refused(reason: string, type = "REFUSED"): ConnectError {
  return new ConnectError(reason, Code.FailedPrecondition, undefined, [
    detail(PreconditionFailureSchema, { violations: [{ type, description: reason }] }),
    detail(ErrorInfoSchema, { reason: type, domain: "mesh" }),
  ]);
}

/** UNAVAILABLE with a retry hint (google.rpc.RetryInfo), for a dependency that is down after its fallback. */
export function unavailable(message: string, retryAfterMs = 1000): ConnectError {
  return new ConnectError(message, Code.Unavailable, undefined, [
    detail(RetryInfoSchema, { retryDelay: durationFromMs(retryAfterMs) }),
  ]);
}
