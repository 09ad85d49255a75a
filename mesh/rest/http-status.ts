import { Code } from "@connectrpc/connect";

/**
 * The HTTP status a REST caller sees for each code: grpc-gateway's table, except that a
 * refused command (FAILED_PRECONDITION) is 412 as in Twirp, so that a client can tell "fix
 * your request" (400) from "the resource's state forbids it now" (409 or 412).
 */
const statusOf: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 412,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** The HTTP status for a status code. */
export function httpStatus(code: Code): number {
  return statusOf[code] ?? 500;
}

/** Every HTTP status an error can have, with the codes behind it (for the OpenAPI document). */
export function errorStatuses(): Map<number, Code[]> {
  const out = new Map<number, Code[]>();
  for (const [code, status] of Object.entries(statusOf)) out.set(status, [...(out.get(status) ?? []), Number(code) as Code]);
  return out;
}
