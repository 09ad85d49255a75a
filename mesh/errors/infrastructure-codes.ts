import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The codes that mean a dependency or the platform failed, never a business refusal: what
 * breakers count, fallbacks answer, and servers log as warnings.
 */
export const infrastructureCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.ResourceExhausted, Code.DataLoss,
]);

/** True for a failure of the dependency rather than a business refusal. */
export function isInfrastructureFailure(error: unknown): boolean {
  return error instanceof ConnectError && infrastructureCodes.has(error.code);
}
