/** Work items run concurrently across keys and one at a time, in arrival order, within a key. */
export interface KeyedQueue<T> {
  push(key: string, item: T): void;
  /** Removes and returns the items not started yet (e.g. to hand them back at shutdown). */
  takeWaiting(): T[];
  /** Items waiting to start (not those running). */
  waiting(): T[];
  /** Resolves once nothing is running. */
  idle(): Promise<void>;
}

/** What a keyed queue runs, and how many at once. */
export interface KeyedQueueOptions<T> {
  concurrency: number;
  /** Runs one item; must not reject (handle errors inside). */
  run(item: T): Promise<void>;
}

/**
 * Creates the scheduler behind a consumer: events of different business keys are handled in
 * parallel (throughput), events of one business key in the order they arrived (a saga's
 * steps must not overtake each other).
 */
export function createKeyedQueue<T>(options: KeyedQueueOptions<T>): KeyedQueue<T> {
  const queues = new Map<string, T[]>(); // key → items not started, oldest first
  const active = new Set<string>(); // keys with an item running
  let ready: string[] = []; // keys not running whose queue is not empty, oldest first
  let idleWaiters: (() => void)[] = [];

  const pump = () => {
    while (active.size < options.concurrency && ready.length > 0) {
      const key = ready.shift()!;
      const queue = queues.get(key)!;
      const item = queue.shift()!;
      if (queue.length === 0) queues.delete(key);
      active.add(key);
      void options.run(item).finally(() => {
        active.delete(key);
        if (queues.has(key)) ready.push(key);
        pump();
        if (active.size === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  };

  return {
    push(key, item) {
      const queue = queues.get(key);
      if (queue) {
        queue.push(item);
        return;
      }
      queues.set(key, [item]);
      if (!active.has(key)) ready.push(key);
      pump();
    },
    takeWaiting() {
      const items = [...queues.values()].flat();
      queues.clear();
      ready = [];
      return items;
    },
    waiting() {
      return [...queues.values()].flat();
    },
    idle() {
      if (active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
