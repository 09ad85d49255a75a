import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  handleWhen,
  retry,
  timeout,
  type TimeoutPolicy,
} from "cockatiel";
import { wasAnswered } from "../errors/wire-failure.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { createBreakerSet, type BreakerState } from "./resilience-breakers.js";

export type { BreakerState } from "./resilience-breakers.js";

/** True when the policy refused a call without trying the dependency (breaker open, bulkhead full). */
export function wasShortCircuited(error: unknown): boolean {
  return error instanceof ConnectError && (error.cause instanceof BrokenCircuitError || error.cause instanceof BulkheadRejectedError);
}

/** The settings of one dependency's policy; every number has a default fit for a service-to-service call. */
export interface ResilienceOptions {
  /** The dependency's name in logs and metrics (its catalog id). */
  dependency: string;
  logger: Logger;
  metrics: MeshMetrics;
  /** Per attempt; aggressive: the attempt is aborted when it runs out. */
  timeoutMs?: number;
  /** Retries after the first attempt, for idempotent calls that failed with Unavailable on the wire. */
  retries?: number;
  /** Consecutive calls of one method failed on the wire that open that method's breaker. */
  breakerThreshold?: number;
  /** How long the breaker stays open before one probe call may pass. */
  halfOpenAfterMs?: number;
  maxConcurrent?: number;
  /** Calls that wait for a slot once `maxConcurrent` are in flight; any more are rejected. */
  maxQueue?: number;
  /** First retry delay; later ones grow exponentially with jitter up to 8 times this. */
  retryDelayMs?: number;
}

/** What one attempt gets: a signal aborted when it times out or the caller gives up, and its time budget. */
export interface Attempt {
  signal: AbortSignal;
  timeoutMs: number;
  /** The half-open breaker's probe: worth waiting for a connection rather than failing fast on an old one. */
  probe: boolean;
}

/** How one call runs through the policy. */
export interface ExecuteOptions {
  /** The method called (its gRPC path): the scope of the breaker that counts this call. */
  method: string;
  /** Only idempotent calls are retried (the method descriptor says which are). */
  idempotent: boolean;
  /** Overrides the policy's per-attempt timeout. */
  timeoutMs?: number;
  /** The caller giving up: the call ends with Canceled, which no breaker counts. */
  signal?: AbortSignal;
}

/** The resilience around every call to one dependency, shared by all its callers in the process. */
export interface ResiliencePolicy {
  readonly dependency: string;
  /** Runs `attempt` (more than once if retried); rejects only with a ConnectError. */
  execute<T>(attempt: (attempt: Attempt) => Promise<T>, options: ExecuteOptions): Promise<T>;
  /** One method's breaker state, or without `method` the worst of any method's. */
  breakerState(method?: string): BreakerState;
  /** Holds every method's breaker open by hand (every call goes to its fallback) until disposed. */
  isolate(): { dispose(): void };
}

/**
 * Creates the policy for one dependency. Order, outermost first: bulkhead (shared by the
 * dependency's methods: bounds what waits on a slow process) → the method's circuit breaker
 * (counts wire failures only, one per call) → retry (idempotent calls, Unavailable on the wire
 * only) → per-attempt timeout. A status the dependency answered is neither counted nor retried.
 */
export function createResiliencePolicy(options: ResilienceOptions): ResiliencePolicy {
  const { dependency, timeoutMs = 1000, retries = 2, breakerThreshold = 5, halfOpenAfterMs = 5000 } = options;
  const { maxConcurrent = 64, maxQueue = 256, retryDelayMs = 25 } = options;
  const log = options.logger.child({ dependency });

  const limiter = bulkhead(maxConcurrent, maxQueue);
  const breakers = createBreakerSet({ dependency, logger: options.logger, metrics: options.metrics, threshold: breakerThreshold, halfOpenAfterMs });
  // An Unavailable the dependency chose to send (with its own retry hint) is its answer: asking again at once would not help.
  const retrier = retry(handleWhen((e) => e instanceof ConnectError && e.code === Code.Unavailable && !wasAnswered(e)), {
    maxAttempts: retries, // cockatiel counts retries: 2 means up to 3 attempts
    backoff: new ExponentialBackoff({ initialDelay: retryDelayMs, maxDelay: retryDelayMs * 8 }),
  });
  retrier.onRetry(({ attempt, delay }) => log.debug("retrying call", { attempt, delayMs: Math.round(delay) }));

  // abortOnReturn: false keeps an attempt's signal unaborted unless it really timed out.
  const timeoutFor = (ms: number) => timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  const defaultTimeout = timeoutFor(timeoutMs);

  return {
    dependency,
    async execute(attempt, { method, idempotent, timeoutMs: ms = timeoutMs, signal }) {
      const limit = ms === timeoutMs ? defaultTimeout : timeoutFor(ms);
      const breaker = breakers.of(method);
      try {
        return await limiter.execute(
          ({ signal: s }) =>
            // The call's own signal, not the breaker's: calls that waited on a half-open probe are
            // run by cockatiel with one shared signal, which every attempt's timeout would listen on.
            breaker.policy.execute(() => {
              const probe = breaker.takeProbe();
              const once = (parent: AbortSignal) => attemptWithTimeout(limit, attempt, ms, parent, dependency, probe);
              return idempotent ? retrier.execute(({ signal: r }) => once(r), s) : once(s);
            }, s),
          // Without one, cockatiel hangs every call's abort listener on a single shared signal.
          signal ?? new AbortController().signal,
        );
      } catch (error) {
        throw toConnectError(error, dependency, ms, signal);
      }
    },
    breakerState: (method) => breakers.state(method),
    isolate: () => breakers.isolate(),
  };
}

// One attempt under its timeout; a timed-out attempt becomes DeadlineExceeded (which the
// breaker counts) even when the aborted call itself rejected first, with Canceled.
async function attemptWithTimeout<T>(
  limit: TimeoutPolicy,
  attempt: (attempt: Attempt) => Promise<T>,
  timeoutMs: number,
  parent: AbortSignal,
  dependency: string,
  probe: boolean,
): Promise<T> {
  let own: AbortSignal | undefined;
  try {
    return await limit.execute(({ signal }) => attempt({ signal: (own = signal), timeoutMs, probe }), parent);
  } catch (error) {
    if (parent.aborted) throw new ConnectError("call canceled by the caller", Code.Canceled, undefined, undefined, error);
    if (error instanceof TaskCancelledError || own?.aborted) throw timedOut(dependency, timeoutMs, error);
    throw ConnectError.from(error);
  }
}

function toConnectError(error: unknown, dependency: string, timeoutMs: number, signal: AbortSignal | undefined): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof BrokenCircuitError) {
    return new ConnectError(`${dependency} is unavailable (circuit breaker open)`, Code.Unavailable, undefined, undefined, error);
  }
  if (error instanceof BulkheadRejectedError) {
    return new ConnectError(`${dependency} has too many calls waiting`, Code.Unavailable, undefined, undefined, error);
  }
  if (error instanceof TaskCancelledError) {
    return signal?.aborted
      ? new ConnectError("call canceled by the caller", Code.Canceled, undefined, undefined, error)
      : timedOut(dependency, timeoutMs, error);
  }
  return ConnectError.from(error);
}

const timedOut = (dependency: string, timeoutMs: number, cause: unknown) =>
  new ConnectError(`${dependency} did not answer within ${timeoutMs} ms`, Code.DeadlineExceeded, undefined, undefined, cause);
