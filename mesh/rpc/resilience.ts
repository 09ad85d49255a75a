import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ExponentialBackoff,
  TaskCancelledError,
  bulkhead,
  handleWhen,
  retry,
} from "cockatiel";
import { wasAnswered } from "../errors/wire-failure.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";
import { LazyAbort } from "./lazy-abort.js";
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
  /** Aborts at the attempt's deadline or when its caller cancels; made when first read. */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` with the reason if the attempt is aborted before it settles (at once if it
   * was); returns what removes it. What a sender on the hot path uses: no signal is made for it.
   */
  onAbort(listener: (reason: unknown) => void): () => void;
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
  /** Calls in flight at once at most (the bulkhead's slots). */
  readonly maxConcurrent: number;
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

  return {
    dependency,
    maxConcurrent,
    async execute(attempt, { method, idempotent, timeoutMs: ms = timeoutMs, signal }) {
      const breaker = breakers.of(method);
      try {
        // The call's own signal, not cockatiel's: calls that waited on a half-open probe are run
        // by cockatiel with one shared signal.
        return await limiter.execute(
          () =>
            breaker.policy.execute(() => {
              const probe = breaker.takeProbe();
              const once = () => attemptWithin(attempt, ms, signal, dependency, probe);
              return idempotent ? retrier.execute(once, signal) : once();
            }, signal),
          signal,
        );
      } catch (error) {
        throw toConnectError(error, dependency, ms, signal);
      }
    },
    breakerState: (method) => breakers.state(method),
    isolate: () => breakers.isolate(),
  };
}

// One attempt under its timeout, aggressive: at the deadline the attempt aborts and fails with
// DeadlineExceeded (which the breaker counts), whether or not it stops. Not cockatiel's timeout
// policy: its three abort signals and a race per attempt cost more than the call on the wire; this
// is one timer, and an abort signal only for a sender that reads one (LazyAbort: the Connect and
// gRPC senders listen with onAbort; a signal and its listener were about 4 % of a client's CPU per call).
function attemptWithin<T>(
  attempt: (attempt: Attempt) => Promise<T>,
  timeoutMs: number,
  parent: AbortSignal | undefined,
  dependency: string,
  probe: boolean,
): Promise<T> {
  if (parent?.aborted) return Promise.reject(cancelledByCaller(parent.reason));
  const running = new RunningAttempt(timeoutMs, probe);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParent);
    };
    const onParent = () => {
      if (settled) return;
      settle();
      running.abort(parent!.reason);
      reject(cancelledByCaller(parent!.reason));
    };
    // At the deadline, sockets are read once more before the attempt is given up: libuv runs
    // expired timers before it reads sockets, so a caller that was busy past the deadline (a long
    // batch, a GC pause) would otherwise time out an answer already waiting for it, and count its
    // own load against the dependency's breaker. setImmediate runs right after that read.
    const timer = setTimeout(() => setImmediate(() => {
      if (settled) return;
      settle();
      const error = timedOut(dependency, timeoutMs, undefined);
      running.abort(error);
      reject(error);
    }), timeoutMs);
    parent?.addEventListener("abort", onParent, { once: true });
    attempt(running).then(
      (value) => {
        if (settled) return;
        settle();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settle();
        reject(ConnectError.from(error));
      },
    );
  });
}

// An attempt as its sender sees it: its budget, whether it is the breaker's probe, and its abort.
class RunningAttempt extends LazyAbort implements Attempt {
  constructor(readonly timeoutMs: number, readonly probe: boolean) {
    super();
  }
}

const cancelledByCaller = (cause: unknown) => new ConnectError("call canceled by the caller", Code.Canceled, undefined, undefined, cause);

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
      ? cancelledByCaller(error)
      : timedOut(dependency, timeoutMs, error);
  }
  return ConnectError.from(error);
}

const timedOut = (dependency: string, timeoutMs: number, cause: unknown) =>
  new ConnectError(`${dependency} did not answer within ${timeoutMs} ms`, Code.DeadlineExceeded, undefined, undefined, cause);
