import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethodUnary,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { headersFromContext } from "../context/call-context.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { connectErrorFromGrpc } from "./client-errors.js";
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
  /** host:port of the dependency's gRPC port. */
  address: string;
  policy: ResiliencePolicy;
  logger: Logger;
  metrics: MeshMetrics;
  /** Added to (and overriding) the defaults below. */
  channelOptions?: grpc.ChannelOptions;
}

// Keepalive finds dead connections between calls; round_robin spreads calls over every address
// a headless Service resolves to (through a sidecar it is one address, harmless); reconnect
// backoff stays short so a restarted dependency is found again soon after its breaker half-opens.
// grpc-js's own retries are off except transparent ones (calls the server never saw).
const defaultChannelOptions: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 2_000,
};

/**
 * Creates a typed client to `service` at `options.address` over one grpc-js channel, every call
 * going through the dependency's resilience policy and carrying the current call context.
 */
export function createClient<S extends DescService>(service: S, options: ClientOptions): Client<S> {
  const channel = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    ...defaultChannelOptions,
    ...options.channelOptions,
  });
  const client: Record<string, unknown> = { close: () => channel.close() };
  for (const method of service.methods) {
    if (method.methodKind === "unary") client[method.localName] = createUnaryCall(channel, method as DescMethodUnary, options);
  }
  return client as Client<S>;
}

type UnaryCall = (request: MessageInitShape<DescMessage>, options: CallOptions<DescMessage>) => Promise<MessageShape<DescMessage>>;

function createUnaryCall(channel: grpc.Client, method: DescMethodUnary, options: ClientOptions): UnaryCall {
  const { policy, metrics, dependency } = options;
  const log = options.logger.child({ dependency, method: method.name });
  const labels = { dependency, method: method.name };
  const idempotent =
    method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
    method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT;
  const path = `/${method.parent.typeName}/${method.name}`;
  const send = createSender(channel, method, path);

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

type Sender = (message: MessageShape<DescMessage>, headers: Record<string, string>, attempt: Attempt) => Promise<MessageShape<DescMessage>>;

// One attempt on the wire: context headers as metadata, a gRPC deadline equal to the attempt's
// budget, cancellation when the attempt's signal aborts, grpc errors as ConnectError. A breaker's
// probe waits for a connection (within its deadline) instead of failing at once on a channel still
// in reconnect backoff, so a dependency that is back closes the breaker on the first probe.
function createSender(channel: grpc.Client, method: DescMethodUnary, path: string): Sender {
  const serialize = (value: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, value));
  const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
  return (message, headers, { signal, timeoutMs, probe }) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata(probe ? { waitForReady: true } : undefined);
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      const cancel = () => call.cancel();
      const call = channel.makeUnaryRequest(path, serialize, deserialize, message, metadata, { deadline: Date.now() + timeoutMs }, (error, response) => {
        signal.removeEventListener("abort", cancel);
        if (error) reject(connectErrorFromGrpc(error));
        else if (response) resolve(response);
        else reject(new ConnectError("empty response", Code.Internal));
      });
      signal.addEventListener("abort", cancel, { once: true });
      if (signal.aborted) cancel();
    });
}
