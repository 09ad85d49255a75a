// When the launcher brings a service's process back, as Kubernetes restarts a crashed container:
// after a delay that doubles with every crash in a row, up to a ceiling, and starts again small
// once a process stayed up a while.

/** How a crashed service is restarted. */
export interface RestartPolicy {
  /** The delay before the first restart; each further crash in a row doubles it. Default 500 ms. */
  initialDelayMs?: number;
  /** The longest delay. Default 30 s. */
  maxDelayMs?: number;
  /** A process that stayed up this long was healthy: its crash counts as the first again. Default 60 s. */
  resetAfterMs?: number;
}

/** The policy with its defaults filled in. */
export function restartPolicy(policy: RestartPolicy = {}): Required<RestartPolicy> {
  return { initialDelayMs: policy.initialDelayMs ?? 500, maxDelayMs: policy.maxDelayMs ?? 30_000, resetAfterMs: policy.resetAfterMs ?? 60_000 };
}

/** The delay before restart `attempt` (1, 2, ...): 0.5 s, 1 s, 2 s, ... up to the ceiling. */
export function restartDelay(attempt: number, policy: Required<RestartPolicy>): number {
  return Math.min(policy.initialDelayMs * 2 ** Math.max(0, attempt - 1), policy.maxDelayMs);
}

/**
 * Whether an exit was asked for: a clean exit (a service exits 0 only once SIGTERM or Ctrl-C's
 * SIGINT stopped it gracefully) or death by one of those signals. Anything else (a non-zero code,
 * SIGKILL, SIGSEGV, an out-of-memory kill) is a crash.
 */
export function exitWasAskedFor(code: number | null, signal: NodeJS.Signals | null): boolean {
  return code === 0 || signal === "SIGTERM" || signal === "SIGINT";
}

/** "500 ms", "1 s", "30 s": for log lines. */
export function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
