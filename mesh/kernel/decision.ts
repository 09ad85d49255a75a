/**
 * A command the domain's rules refuse: `reason` is for people ("out of stock: 2 Rose left"),
 * `code` is stable for programs ("OUT_OF_STOCK"). The runtime answers it as FAILED_PRECONDITION.
 */
export interface Refusal {
  readonly refused: string;
  readonly code: string;
}

/**
 * What a command decided: the aggregate as it now stands and the events it produced. Returning
 * the state it was given, with no events, means nothing changed (nothing is written).
 */
export interface Decision<S, E = never> {
  readonly state: S;
  readonly events: readonly E[];
}

/** A decision, or the rule that refused the command. */
export type Outcome<S, E = never> = Decision<S, E> | Refusal;

/** Refuses a command: `code` for programs, `reason` for people. */
export function refuse(code: string, reason: string): Refusal {
  return { refused: reason, code };
}

/** Decides: the new state and the events that say what happened. */
export function decide<S, E = never>(state: S, ...events: E[]): Decision<S, E> {
  return { state, events };
}

/** Tells a refusal from a decision. */
export function isRefusal(outcome: object): outcome is Refusal {
  return "refused" in outcome && "code" in outcome;
}
