/**
 * An abort whose AbortSignal is made only when something reads it. Most calls end without anyone
 * reading theirs, and a signal per call, with the listeners placed on it, cost a few per cent of a
 * call's CPU on each side (profiled); onAbort listens without making one.
 */
export class LazyAbort {
  private controller: AbortController | undefined;
  private done: { reason: unknown } | undefined;
  private listeners: ((reason: unknown) => void)[] = [];

  /** Aborted with the same reason as this, even when first read afterwards. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.done.reason);
    }
    return this.controller.signal;
  }

  /** Aborts once; later calls change nothing. */
  abort(reason: unknown): void {
    if (this.done) return;
    this.done = { reason };
    this.controller?.abort(reason);
    const heard = this.listeners;
    this.listeners = [];
    for (const listener of heard) listener(reason);
  }

  /** Calls `listener` with the reason once this aborts (at once if it has); returns what removes it. */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.done) {
      listener(this.done.reason);
      return () => {};
    }
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
