// The contract of one system's saga bench (bench/systems/<system>.ts): npm run bench runs each
// registered system's after flower's, on the same stack, and writes its section of
// docs/performance.md. A system bench drives its main command with `clients` concurrent callers,
// then at half the rate it reached, and follows every saga through the system's view.
import type { LoadResult, Samples } from "../load.js";
import type { Stack } from "../stack.js";

export interface SystemBenchContext {
  stack: Stack;
  seconds: number;
  halfSeconds: number;
  clients: number;
  /** A load at `clients` run first and not measured, its sagas followed to the end: V8 has compiled the hot paths by then. */
  warmUpSeconds: number;
  quick: boolean;
  say: (line: string) => void;
  /**
   * Wraps one phase (its load and following its sagas to the end), so that bench/run.ts measures
   * over exactly it what every system is measured by: CPU, work per saga, event-loop delay.
   */
  measure<T>(phase: "full" | "half", run: () => Promise<T>): Promise<T>;
}

export interface SystemSagas {
  started: number;
  /** Reached the system's final step of the saga (every step recorded in its view). */
  completed: number;
  /** Ended otherwise (declined, rejected), or never finished: by the view's status. */
  other: Record<string, number>;
  /** completed ÷ (last completion − first command sent). */
  sagasPerSecond: number;
  /** View step recordedAt − event occurredAt, ms. */
  lag: Samples;
}

export interface SystemFigures {
  system: string;
  /** The command measured and what a complete saga is, in a sentence. */
  saga: string;
  /** The command at `clients` concurrent callers, and the sagas it started. */
  full: LoadResult;
  fullSagas: SystemSagas;
  /** The command at half the rate `full` reached, and its sagas (the view lag p99 is read here). */
  half: LoadResult;
  halfSagas: SystemSagas;
  /** What bounds the figure, as measured (e.g. the cores each process used). */
  bound: string;
  /** Calls the bench makes per saga (the command, and any call before it). */
  commandCalls: number;
}

export interface SystemBench {
  system: string;
  run(context: SystemBenchContext): Promise<SystemFigures>;
}
