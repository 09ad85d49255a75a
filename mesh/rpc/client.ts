import {
  create,
  type DescMessage,
  type DescMethodUnary,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { headersFromContext } from "../context/call-context.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { connectTransport } from "./connect-sender.js";
import { grpcTransport } from "./grpc-sender.js";
import type { ClientProtocol, Sender } from "./transport.js";
import { isInfrastructureFailure } from "../errors/infrastructure-codes.js";
import { wasAnswered } from "../errors/wire-failure.js";
import { foundNoConnection, markNeverSent } from "./never-sent.js";
import { wasShortCircuited, type Attempt, type ResiliencePolicy } from "./resilience.js";

/** How one call goes; the fallback is required so every call site says what happens when the dependency is down. */
export interface CallOptions<O extends DescMessage> {
  /**
   * Answers when the dependency fails (Unavailable, DeadlineExceeded, Internal...), the breaker is
   * open or the bulkhead is full: return a substitute, or throw (e.g. `unavailable(...)`). The
   * error may be one the dependency answered itself (its own Unavailable, say): throw it to pass it on as it is.
   * Business refusals (InvalidArgument, FailedPrecondition...) never come here: they are thrown.
   */
  fallback: (error: ConnectError) => MessageShape<O> | Promise<MessageShape<O>>;
  /** Per attempt; the policy's timeout otherwise. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A typed client to another service: one promise-returning function per unary method, lowerCamelCase. */
export type Client<S extends DescService> = {
  [K in keyof S["method"] as S["method"][K] extends DescMethodUnary ? K : never]: S["method"][K] extends DescMethodUnary<infer I, infer O>
    ? (request: MessageInitShape<I>, options: CallOptions<O>) => Promise<MessageShape<O>>
    : never;
} & {
  /** Closes the channel; calls in flight fail with Unavailable. */
  close(): void;
};

/** Where the dependency is and what surrounds every call to it. */
export interface ClientOptions {
  /** The dependency's name in logs and metrics (its catalog id). */
  dependency: string;
  /** host:port of the dependency's port for `protocol`: its HTTP port for Connect, its gRPC port for gRPC. */
  address: string;
  /** How calls travel; Connect over HTTP/1.1 unless told otherwise. */
  protocol?: ClientProtocol;
  policy: ResiliencePolicy;
  logger: Logger;
  metrics: MeshMetrics;
  /** gRPC only: added to (and overriding) the channel's defaults. */
  channelOptions?: grpc.ChannelOptions;
}

/**
 * Creates a typed client to `service` at `options.address`, every call going through the
 * dependency's resilience policy and carrying the current call context.
 */
export function createClient<S extends DescService>(service: S, options: ClientOptions): Client<S> {
  const transport = (options.protocol ?? "connect") === "grpc"
    ? grpcTransport(options.address, options.channelOptions)
    // One connection per call the bulkhead lets through: HTTP/1.1 carries one call at a time.
    : connectTransport(options.address, { connections: options.policy.maxConcurrent });
  const client: Record<string, unknown> = { close: () => transport.close() };
  for (const method of service.methods) {
    if (method.methodKind === "unary") client[method.localName] = createUnaryCall(transport.sender(method as DescMethodUnary), method as DescMethodUnary, options);
  }
  return client as Client<S>;
}

type UnaryCall = (request: MessageInitShape<DescMessage>, options: CallOptions<DescMessage>) => Promise<MessageShape<DescMessage>>;

function createUnaryCall(send: Sender, method: DescMethodUnary, options: ClientOptions): UnaryCall {
  const { policy, metrics, dependency } = options;
  const log = options.logger.child({ dependency, method: method.name });
  const labels = { dependency, method: method.name };
  const idempotent =
    method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
    method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT;
  const path = `/${method.parent.typeName}/${method.name}`;

  return async (request, { fallback, timeoutMs, signal }) => {
    const started = performance.now();
    const message = create(method.input, request);
    // Read now: a call queued by the bulkhead may later run in another call's async context.
    const headers = headersFromContext();
    let code = "Unknown";
    // Whether any attempt may have reached the dependency (one that found no connection did not).
    let left = false;
    const attempt = (a: Attempt) => send(message, headers, a).catch((error: unknown) => {
      if (!foundNoConnection(error)) left = true;
      throw error;
    });
    try {
      const response = await policy.execute(attempt, { method: path, idempotent, timeoutMs, signal });
      code = "OK";
      return response;
    } catch (caught) {
      const error = ConnectError.from(caught);
      code = Code[error.code];
      if (!left) markNeverSent(error);
      if (!isInfrastructureFailure(error)) throw error;
      if (wasShortCircuited(error)) log.debug("call short-circuited; using the fallback", { code, error: error.rawMessage });
      else if (wasAnswered(error)) log.info("the dependency answered with a failure; using the fallback", { code, error: error.rawMessage });
      else log.warn("call failed; using the fallback", { code, error: error.rawMessage });
      try {
        const substitute = await fallback(error);
        code = "fallback";
        return substitute;
      } catch (thrown) {
        // What the fallback chose to throw (a ConnectError, or a RetryLaterError for a policy).
        code = thrown instanceof ConnectError ? Code[thrown.code] : "fallback";
        if (!left) markNeverSent(thrown);
        throw thrown;
      }
    } finally {
      metrics.clientRequests.inc({ ...labels, code });
      metrics.clientDuration.observe({ ...labels, code }, (performance.now() - started) / 1000);
    }
  };
}
