import { newId } from "../ids.js";
import { asyncSlot } from "./async-scope.js";
import { isPropagatableId } from "./propagated-ids.js";
import { childSpan, formatTraceparent, parseTraceparent, type TraceContext } from "./trace.js";

/** What flows with every call and event: the command it belongs to, what caused it, and the trace. */
export interface CallContext {
  /** The id of the command (the caller's x-correlation-id, or one made for it) that every hop carries on. */
  correlationId: string;
  /** While an event is handled: the order, reservation or request it is about. */
  businessKey?: string;
  /** The id of the event or request that caused the current work. */
  causationId?: string;
  trace: TraceContext;
}

/** Header names shared by gRPC metadata, HTTP headers and NATS message headers. */
export const contextHeaderNames = {
  correlationId: "x-correlation-id",
  causationId: "x-causation-id",
  traceparent: "traceparent",
} as const;

const current = asyncSlot<CallContext>();

/** The context of the work running now, if any. */
export function currentContext(): CallContext | undefined {
  return current.get();
}

/** The x-correlation-id of the command being handled (a caller's, or one made for it); empty outside any. */
export function currentCorrelationId(): string {
  return current.get()?.correlationId ?? "";
}

/** Runs `fn` with `ctx` as the current context (logs, outgoing calls and events pick it up). */
export function runInContext<T>(ctx: CallContext, fn: () => T): T {
  return current.run(ctx, fn);
}

/** A propagated id a caller sent that could not be carried on (a tab, non-ASCII, too long). */
export interface ReplacedId {
  header: string;
  /** What arrived, unescaped: escape it before printing. */
  given: string;
}

/**
 * Builds the context of incoming work from its headers: a new span of the caller's trace. An id
 * that could not travel on (gRPC metadata and NATS headers refuse some characters, columns have
 * a length) is replaced, as a malformed traceparent starts a new trace: a correlation id by a
 * new one, a causation id by none; `replaced` hears of each.
 */
export function contextFromHeaders(get: (name: string) => string | undefined, replaced?: (id: ReplacedId) => void): CallContext {
  const parent = parseTraceparent(get(contextHeaderNames.traceparent));
  const valid = (header: string) => {
    const given = get(header);
    if (!given) return undefined;
    if (isPropagatableId(given)) return given;
    replaced?.({ header, given });
    return undefined;
  };
  return {
    // Made time-ordered (UUIDv7) when the caller sends none: the columns that keep it index it in order.
    correlationId: valid(contextHeaderNames.correlationId) ?? newId(),
    causationId: valid(contextHeaderNames.causationId),
    trace: childSpan(parent),
  };
}

/** The headers an outgoing call or event carries so that the receiver continues this context. */
export function headersFromContext(ctx: CallContext | undefined = currentContext()): Record<string, string> {
  if (!ctx) return { [contextHeaderNames.traceparent]: formatTraceparent(childSpan()) };
  const out: Record<string, string> = {
    [contextHeaderNames.correlationId]: ctx.correlationId,
    [contextHeaderNames.traceparent]: formatTraceparent(ctx.trace),
  };
  if (ctx.causationId) out[contextHeaderNames.causationId] = ctx.causationId;
  return out;
}
