import { Code, ConnectError } from "@connectrpc/connect";
import { isInfrastructureFailure } from "./infrastructure-codes.js";

/**
 * The trailer a mesh gRPC server puts on every status it sends: proof, for the caller, that a
 * live server chose that status (a proxy's or grpc-js's own statuses never carry it).
 */
export const answeredKey = "x-mesh-answered";

/**
 * True when `error` is a status the dependency's server sent, whatever its code (its refusal, its
 * own dependency being down, its bug): the hop itself worked.
 */
export function wasAnswered(error: unknown): boolean {
  return error instanceof ConnectError && error.metadata.has(answeredKey);
}

/**
 * True for what a breaker counts: an infrastructure failure no server chose to send (no
 * connection, reset, no answer in time, a proxy's 503), never a status propagated from deeper down.
 * ResourceExhausted never counts: unmarked, it is grpc-js refusing a message over the size limit
 * (the caller's request, or one answer), which says nothing about the way to the dependency.
 */
export function isWireFailure(error: unknown): boolean {
  return isInfrastructureFailure(error) && !wasAnswered(error) && (error as ConnectError).code !== Code.ResourceExhausted;
}
