// Randomised tests that can be replayed: a seed from the environment (RACE_SEED=<n>,
// FUZZ_SEED=<n>) or a fresh one, printed by the test, and one small generator (mulberry32)
// drawing every choice from it.

/** Draws from one seed: the same seed, the same sequence. */
export interface SeededRandom {
  seed: number;
  /** In [0, 1). */
  random(): number;
  /** A whole number in [0, n). */
  int(n: number): number;
  pick<T>(choices: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** The generator of this run: seeded by the environment variable `variable` when set. */
export function seededRandom(variable: string): SeededRandom {
  const seed = Number(process.env[variable] ?? Math.floor(Math.random() * 2 ** 31));
  let s = seed;
  const random = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(random() * n);
  return { seed, random, int, pick: (choices) => choices[int(choices.length)], chance: (p) => random() < p };
}
