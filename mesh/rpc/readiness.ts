/** The state of one readiness condition, as /readyz shows it. */
export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** What /readyz answers: ready or not, and why. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

/**
 * Whether the process should receive traffic: one switch that health checks, /readyz and the
 * shutdown sequence share, so that all of them agree.
 */
export interface Readiness {
  /** Records whether condition `name` (one of those given at creation) holds now. */
  mark(name: string, ok: boolean, detail?: string): void;
  /** True when every condition holds and shutdown has not started. */
  ready(): boolean;
  /** The state of every condition (and of shutdown, once started). */
  report(): ReadinessReport;
  /** Calls `listener` after every change of the report; returns the function that stops it. */
  onChange(listener: (ready: boolean) => void): () => void;
  /** Makes the process not ready for good: the first step of a graceful shutdown. */
  startShutdown(): void;
  /** True once startShutdown() has been called. */
  shuttingDown(): boolean;
}

/** Creates a readiness that stays false until every named condition has been marked ok. */
export function createReadiness(conditions: string[]): Readiness {
  const checks = new Map<string, ReadinessCheck>(conditions.map((name) => [name, { ok: false, detail: "not checked yet" }]));
  const listeners = new Set<(ready: boolean) => void>();
  let stopping = false;

  const ready = () => !stopping && [...checks.values()].every((c) => c.ok);
  const notify = () => {
    const now = ready();
    for (const listener of [...listeners]) listener(now);
  };

  return {
    mark(name, ok, detail) {
      const before = checks.get(name);
      if (!before) throw new Error(`unknown readiness condition "${name}" (known: ${conditions.join(", ")})`);
      if (before.ok === ok && before.detail === detail) return;
      checks.set(name, detail === undefined ? { ok } : { ok, detail });
      notify();
    },
    ready,
    report() {
      const out: Record<string, ReadinessCheck> = {};
      for (const [name, check] of checks) out[name] = { ...check };
      if (stopping) out.shutdown = { ok: false, detail: "shutting down" };
      return { ready: ready(), checks: out };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    startShutdown() {
      if (stopping) return;
      stopping = true;
      notify();
    },
    shuttingDown: () => stopping,
  };
}
