import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { infrastructureCodes } from "../errors/infrastructure-codes.js";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { contextFromHeaders, contextHeaderNames, runInContext, type CallContext, type ReplacedId } from "../context/call-context.js";
import { escapeForLog } from "../log/escape.js";
import type { Logger } from "../log/logger.js";
import { storedValueRefusal } from "./stored-value-refusal.js";
import type { MeshMetrics } from "../telemetry/metrics.js";

/** What the handler chain needs around every call: where to log and what to count. */
export interface HandlerChainOptions {
  logger: Logger;
  metrics: MeshMetrics;
}

/** Codes that say the server or a dependency failed (logged at warn); every other code is the caller's doing. */

/** A status code's name as metrics and logs label it: grpc-go's spelling ("OK", "InvalidArgument"), as the client's metrics. */
export function codeLabel(code: Code | undefined): string {
  return code === undefined ? "OK" : Code[code];
}

type AnyImpl = (input: unknown, ctx: HandlerContext) => unknown;

/**
 * Wraps a service implementation so that every method, whatever its kind or the port it came
 * in on, runs in the caller's context, is counted and timed, and fails only with a ConnectError:
 * the one place where errors are mapped for both ports.
 */
export function wrapService<S extends DescService>(
  service: S,
  impl: Partial<ServiceImpl<S>>,
  options: HandlerChainOptions,
): ServiceImpl<S> {
  const wrapped: Record<string, AnyImpl> = {};
  const given = impl as Record<string, AnyImpl | undefined>;
  for (const method of service.methods) {
    const fn = given[method.localName]?.bind(impl) ?? unimplemented(service, method);
    const streamsOut = method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
    wrapped[method.localName] = streamsOut ? wrapStreamingOut(method, fn, options) : wrapSingleOut(method, fn, options);
  }
  return wrapped as ServiceImpl<S>;
}

function unimplemented(service: DescService, method: DescMethod): AnyImpl {
  return () => {
    throw new ConnectError(`${service.typeName}.${method.name} is not implemented`, Code.Unimplemented);
  };
}

// Unary and client-streaming: one answer, awaited inside the caller's context.
function wrapSingleOut(method: DescMethod, fn: AnyImpl, options: HandlerChainOptions): AnyImpl {
  return async (input, ctx) => {
    const call = beginCall(method, ctx, options);
    try {
      const output = await runInContext(call.context, () => fn(input, ctx));
      call.succeed();
      return output;
    } catch (err) {
      throw call.fail(err);
    }
  };
}

// Server- and bidi-streaming: every step of the handler's iterator runs inside the caller's context.
function wrapStreamingOut(method: DescMethod, fn: AnyImpl, options: HandlerChainOptions): AnyImpl {
  return async function* (input, ctx) {
    const call = beginCall(method, ctx, options);
    let iterator: AsyncIterator<unknown> | undefined;
    let settled = false;
    try {
      const iterable = runInContext(call.context, () => fn(input, ctx)) as AsyncIterable<unknown>;
      iterator = iterable[Symbol.asyncIterator]();
      for (;;) {
        const step = await runInContext(call.context, () => iterator!.next());
        if (step.done) break;
        yield step.value;
      }
      settled = true;
      call.succeed();
    } catch (err) {
      settled = true;
      throw call.fail(err);
    } finally {
      if (!settled) {
        // The transport stopped reading (the caller went away): stop the handler too.
        call.fail(new ConnectError("the caller cancelled the stream", Code.Canceled));
        await runInContext(call.context, async () => iterator?.return?.()).catch(() => undefined);
      }
    }
  };
}

interface Call {
  context: CallContext;
  succeed(): void;
  /** Maps `err` to the ConnectError the client will see, logs and counts it. */
  fail(err: unknown): ConnectError;
}

function beginCall(method: DescMethod, ctx: HandlerContext, { logger, metrics }: HandlerChainOptions): Call {
  const started = process.hrtime.bigint();
  const replaced: ReplacedId[] = [];
  const context = contextFromHeaders((name) => ctx.requestHeader.get(name) ?? undefined, (r) => replaced.push(r));
  // The caller learns the correlation id to quote (and to find every log line of the call by).
  ctx.responseHeader.set(contextHeaderNames.correlationId, context.correlationId);
  // Replaced rather than refused: an id is for finding the call afterwards, never a reason to fail it.
  for (const { header, given } of replaced) {
    runInContext(context, () => logger.info(`replaced an unusable ${header}`, { given: escapeForLog(given), length: given.length }));
  }
  const labels = { method: `/${method.parent.typeName}/${method.name}`, protocol: ctx.protocolName };
  const record = (code: Code | undefined) => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const all = { method: labels.method, code: codeLabel(code), protocol: labels.protocol };
    metrics.rpcRequests.inc(all);
    metrics.rpcDuration.observe(all, seconds);
  };
  return {
    context,
    succeed() {
      record(undefined);
      // At debug level every call leaves a line under its correlation id, so a command can be followed.
      if (logger.enabled("debug")) runInContext(context, () => logger.debug("rpc handled", labels));
    },
    fail(err) {
      const refusal = storedValueRefusal(err);
      const unexpected = !refusal && !(err instanceof ConnectError) && !ctx.signal.aborted;
      const error = refusal ?? toConnectError(err, ctx.signal);
      record(error.code);
      const fields = { ...labels, code: codeLabel(error.code) };
      runInContext(context, () => {
        if (unexpected) logger.error("rpc failed with an unexpected error", { ...fields, error: asError(err) });
        else if (refusal) logger.warn("rpc input did not fit the database (a field check is missing)", { ...fields, error: asError(err) });
        else if (infrastructureCodes.has(error.code)) logger.warn("rpc failed", { ...fields, error: error.rawMessage });
        else logger.info("rpc failed", { ...fields, error: error.rawMessage });
      });
      return error;
    },
  };
}

// Unknown errors become INTERNAL with the cause kept (for the log) but never sent.
function toConnectError(err: unknown, signal: AbortSignal): ConnectError {
  if (err instanceof ConnectError) return err;
  // A handler that gave up because the call was cancelled or ran out of time failed for that reason.
  if (signal.aborted) return ConnectError.from(signal.reason);
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause));
}
