import { once, type EventEmitter } from "node:events";
import { create, fromBinary, toBinary, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import type { Logger } from "../log/logger.js";
import { abortReasons } from "./abort-reasons.js";
import { addHeadersToMetadata, headersFromMetadata } from "./grpc-metadata.js";
import { grpcStatusFromError } from "./grpc-status.js";

type Message = Parameters<typeof toBinary>[1];
type AnyImpl = (input: unknown, ctx: HandlerContext) => unknown;
type AnyCall = grpc.ServerUnaryCall<Message, Message> | grpc.ServerReadableStream<Message, Message> | grpc.ServerWritableStream<Message, Message>;
type Writable = grpc.ServerWritableStream<Message, Message> | grpc.ServerDuplexStream<Message, Message>;

/** A service in grpc-js terms: the method table for addService and the handlers that serve it. */
export interface GrpcServiceBinding {
  definition: grpc.ServiceDefinition;
  handlers: grpc.UntypedServiceImplementation;
}

/**
 * Serves a Connect-style implementation on grpc-js: the definition comes from the protobuf-es
 * descriptor, and each call gets a real HandlerContext so that handlers cannot tell the ports apart.
 */
export function bindGrpcService<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>, logger: Logger): GrpcServiceBinding {
  const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const fn = (impl as Record<string, AnyImpl | undefined>)[method.localName]?.bind(impl) ?? unimplemented(method);
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (m: Message) => Buffer.from(toBinary(method.input, m)),
      requestDeserialize: (b: Buffer) => decodeRequest(method, b) as Message, // checked by each handler
      responseSerialize: (m: Message) => Buffer.from(toBinary(method.output, m)),
      responseDeserialize: (b: Buffer) => fromBinary(method.output, b),
    };
    handlers[method.localName] = handlerFor(service, method, fn, logger);
  }
  return { definition, handlers };
}

function handlerFor(service: DescService, method: DescMethod, fn: AnyImpl, logger: Logger): grpc.UntypedHandleCall {
  switch (method.methodKind) {
    case "unary":
    case "client_streaming":
      return (call: AnyCall, respond: grpc.sendUnaryData<Message>) => {
        const ctx = contextFor(service, method, call);
        const input = method.methodKind === "unary" ? (call as grpc.ServerUnaryCall<Message, Message>).request : requestsOf(call as grpc.ServerReadableStream<Message, Message>);
        const bad = malformedError(input);
        if (bad) return respond(grpcStatusFromError(bad));
        Promise.resolve()
          .then(() => fn(input, ctx))
          .then(
            (output) => {
              if (hasAny(ctx.responseHeader)) call.sendMetadata(addHeadersToMetadata(ctx.responseHeader));
              respond(null, create(method.output, output as never), addHeadersToMetadata(ctx.responseTrailer));
            },
            // Nothing was sent yet, so grpc-js answers Trailers-Only: response headers travel with the status.
            (err) => respond(grpcStatusFromError(asConnectError(err, logger), ctx.responseHeader, ctx.responseTrailer)),
          )
          .finally(() => ctx.abort(abortReasons().callEnded));
      };
    case "server_streaming":
    case "bidi_streaming":
      return (call: Writable) => {
        const ctx = contextFor(service, method, call);
        const input = method.methodKind === "server_streaming" ? (call as grpc.ServerWritableStream<Message, Message>).request : requestsOf(call as grpc.ServerDuplexStream<Message, Message>);
        const bad = malformedError(input);
        if (bad) return void call.emit("error", grpcStatusFromError(bad));
        const sent = { headers: false };
        Promise.resolve()
          .then(() => writeAll(call, ctx, method, fn(input, ctx) as AsyncIterable<unknown>, sent))
          .then(
            () => call.end(addHeadersToMetadata(ctx.responseTrailer)),
            (err) => {
              // Cancelled, or past the deadline (grpc-js has sent DEADLINE_EXCEEDED itself): nobody to tell.
              if (ctx.signal.aborted || call.cancelled || call.destroyed) return;
              const extra = sent.headers ? [ctx.responseTrailer] : [ctx.responseHeader, ctx.responseTrailer];
              call.emit("error", grpcStatusFromError(asConnectError(err, logger), ...extra));
            },
          )
          .finally(() => ctx.abort(abortReasons().callEnded));
      };
  }
}

const deadlineSlackMs = 20;

type Context = ReturnType<typeof createHandlerContext>;

async function writeAll(call: Writable, ctx: Context, method: DescMethod, outputs: AsyncIterable<unknown>, sent: { headers: boolean }) {
  for await (const output of outputs) {
    if (!sent.headers) {
      sent.headers = true;
      if (hasAny(ctx.responseHeader)) call.sendMetadata(addHeadersToMetadata(ctx.responseHeader));
    }
    if (ctx.signal.aborted) throw ctx.signal.reason; // the caller is gone: stop pulling from the handler
    if (!call.write(create(method.output, output as never))) await once(call, "drain", { signal: ctx.signal });
  }
}

// The handler's context: headers from metadata, aborted when the caller cancels or the deadline passes.
function contextFor(service: DescService, method: DescMethod, call: AnyCall): Context {
  const cancelled = new AbortController();
  const deadline = Number(call.getDeadline());
  (call as EventEmitter).once("cancelled", () => {
    // A client cancels at its own deadline, a hair before ours: that is the deadline passing, not a
    // change of mind. grpc-js reports "cancelled" as a stream closes, even after an answer: the
    // reasons are shared, so that costs nothing.
    const atDeadline = deadline - Date.now() <= deadlineSlackMs;
    const { deadlinePassed, callerCancelled } = abortReasons();
    cancelled.abort(atDeadline ? deadlinePassed : callerCancelled);
  });
  return createHandlerContext({
    service,
    method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: call.getPath(),
    requestHeader: headersFromMetadata(call.metadata),
    requestSignal: cancelled.signal,
    timeoutMs: Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : undefined,
  });
}

// Incoming messages of a streaming call; leaving the loop early must not destroy the call we still answer on.
// A message that is not protobuf fails the handler's loop with INVALID_ARGUMENT.
function requestsOf(call: grpc.ServerReadableStream<Message, Message> | grpc.ServerDuplexStream<Message, Message>): AsyncIterable<Message> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const message of { [Symbol.asyncIterator]: () => call.iterator({ destroyOnReturn: false }) }) {
        const bad = malformedError(message);
        if (bad) throw bad;
        yield message;
      }
    },
  };
}

// What a request that is not protobuf (garbage, cut short, a string that is not UTF-8) decodes to:
// grpc-js would answer a throwing deserializer with INTERNAL, as if the server had failed.
const malformed = Symbol("malformed request");
interface MalformedRequest {
  [malformed]: ConnectError;
}

function decodeRequest(method: DescMethod, bytes: Buffer): Message | MalformedRequest {
  try {
    return fromBinary(method.input, bytes);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { [malformed]: new ConnectError(`the request is not a valid ${method.input.typeName}: ${reason}`, Code.InvalidArgument) };
  }
}

function malformedError(input: unknown): ConnectError | undefined {
  return typeof input === "object" && input !== null && malformed in input ? (input as MalformedRequest)[malformed] : undefined;
}

// The handler chain already maps the handler's errors; this catches the adapter's own (a malformed answer).
function asConnectError(err: unknown, logger: Logger): ConnectError {
  if (err instanceof ConnectError) return err;
  logger.error("grpc adapter failed", { error: err instanceof Error ? err : new Error(String(err)) });
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

function unimplemented(method: DescMethod): AnyImpl {
  return () => {
    throw new ConnectError(`${method.parent.typeName}.${method.name} is not implemented`, Code.Unimplemented);
  };
}

function hasAny(headers: Headers): boolean {
  for (const _ of headers.keys()) return true;
  return false;
}
