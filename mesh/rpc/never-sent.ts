import { Code, ConnectError } from "@connectrpc/connect";

// Whether a failed call could have had an effect at the dependency. A call the policy refused
// (breaker open, bulkhead full) or whose every attempt found no connection never left this
// process: there is nothing to undo, and undoing it anyway can do harm (a payment cancelled
// before it was made leaves a tombstone that declines the next try). The client marks the
// errors of such calls, including what its fallback throws in their place.

const neverSent = new WeakSet<object>();
const noConnection = new WeakSet<object>();

/** @internal a transport's mark on an attempt that failed before any connection carried it. */
export function markNoConnection(error: ConnectError): void {
  noConnection.add(error);
}

/**
 * An attempt that found no connection: marked so by its transport (connection refused), or grpc-js
 * failing a call at once, before writing anything, while its channel has no connection
 * ("No connection established. Last error: ...", prefixed by the balancer: "round_robin: ...").
 */
export function foundNoConnection(error: unknown): boolean {
  if (typeof error === "object" && error !== null && noConnection.has(error)) return true;
  return error instanceof ConnectError && error.code === Code.Unavailable && /^(?:[a-z_]+: )?No connection established/.test(error.rawMessage);
}

/** @internal the client's mark on the error of a call none of whose attempts reached the wire. */
export function markNeverSent(error: unknown): void {
  if (typeof error === "object" && error !== null) neverSent.add(error);
}

/**
 * True when `error` ended a call that never left this process (no attempt was written to a
 * connection), so the dependency did nothing: also for the error a fallback threw in its place.
 */
export function wasNeverSent(error: unknown): boolean {
  return typeof error === "object" && error !== null && neverSent.has(error);
}
