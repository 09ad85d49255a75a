import { ConnectError } from "@connectrpc/connect";
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { isWireFailure } from "../errors/wire-failure.js";
import type { Logger } from "../log/logger.js";
import type { MeshMetrics } from "../telemetry/metrics.js";

/** The circuit breaker's state, as logs and callers name it. */
export type BreakerState = "closed" | "half-open" | "open" | "isolated";

/** What the breakers of one dependency share. */
export interface BreakerSetOptions {
  dependency: string;
  logger: Logger;
  metrics: MeshMetrics;
  /** Consecutive wire failures of one method that open its breaker. */
  threshold: number;
  halfOpenAfterMs: number;
}

/** One method's breaker. */
export interface ScopedBreaker {
  policy: CircuitBreakerPolicy;
  /** True once, for the call the breaker lets through as its half-open probe. */
  takeProbe(): boolean;
}

/** The breakers of one dependency, one per method: one method's trouble never refuses another's calls. */
export interface BreakerSet {
  /** The breaker of `method` (its gRPC path), made on first use. */
  of(method: string): ScopedBreaker;
  /** The state of `method`'s breaker, or without one the worst state of any. */
  state(method?: string): BreakerState;
  /** Holds every breaker (and any made meanwhile) open until disposed. */
  isolate(): { dispose(): void };
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "isolated",
};
const gaugeValues: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2, isolated: 3 };

/** Creates the per-method breakers of one dependency; each counts only wire failures (see isWireFailure). */
export function createBreakerSet(options: BreakerSetOptions): BreakerSet {
  const breakers = new Map<string, ScopedBreaker>();
  const isolations = new Set<Array<{ dispose(): void }>>();

  const create = (method: string): ScopedBreaker => {
    const policy = circuitBreaker(handleWhen(isWireFailure), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.threshold),
    });
    // cockatiel announces half-open right before it runs the probe, synchronously.
    let probing = false;
    policy.onHalfOpen(() => (probing = true));
    reportTransitions(policy, method, options);
    for (const handles of isolations) handles.push(policy.isolate());
    return { policy, takeProbe: () => (probing ? !(probing = false) : false) };
  };

  return {
    of(method) {
      let breaker = breakers.get(method);
      if (!breaker) breakers.set(method, (breaker = create(method)));
      return breaker;
    },
    state(method) {
      if (method !== undefined) {
        const breaker = breakers.get(method);
        return breaker ? stateNames[breaker.policy.state] : isolations.size > 0 ? "isolated" : "closed";
      }
      let worst: BreakerState = isolations.size > 0 ? "isolated" : "closed";
      for (const { policy } of breakers.values()) {
        const name = stateNames[policy.state];
        if (gaugeValues[name] > gaugeValues[worst]) worst = name;
      }
      return worst;
    },
    isolate() {
      const handles = [...breakers.values()].map(({ policy }) => policy.isolate());
      isolations.add(handles);
      return {
        dispose() {
          if (!isolations.delete(handles)) return;
          for (const handle of handles) handle.dispose();
        },
      };
    },
  };
}

// Every transition shows: a metric for dashboards, a log line for people; both name the method.
// Each line counts the breaker's transitions, so a flapping breaker shows how often, and no
// line is ever collapsed as a repeat of the one before.
function reportTransitions(breaker: CircuitBreakerPolicy, method: string, { dependency, logger, metrics }: BreakerSetOptions): void {
  const scope = `${dependency} ${method}`;
  let transitions = 0;
  metrics.breakerState.set({ dependency, method }, gaugeValues.closed);
  breaker.onStateChange((state) => {
    const name = stateNames[state];
    const log = logger.child({ dependency, method, transitions: ++transitions });
    metrics.breakerState.set({ dependency, method }, gaugeValues[name]);
    metrics.breakerTransitions.inc({ dependency, method, state: name });
    if (name === "open") {
      const last = breaker.lastFailure;
      const reason = last && "error" in last ? ConnectError.from(last.error).message : undefined;
      log.warn(`circuit breaker for ${scope} opened: its calls go to their fallback`, { breaker: name, reason });
    } else if (name === "isolated") {
      log.warn(`circuit breaker for ${scope} isolated by hand: its calls go to their fallback`, { breaker: name });
    } else if (name === "half-open") {
      log.info(`circuit breaker for ${scope} half-open: probing with one call`, { breaker: name });
    } else {
      log.info(`circuit breaker for ${scope} closed: calls flow again`, { breaker: name });
    }
  });
}
