/**
 * The soak's seeded random source: the same seed gives the same fault schedule (kinds, targets,
 * durations, gaps), so two supervisors, two modes or two commits can be compared fault for fault.
 * mulberry32: 32 bits of state, good enough to pick faults, not for anything secret.
 */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** A number in [lo, hi). */
  between(lo: number, hi: number): number;
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T;
}

/** A Random seeded with `seed` (any integer). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (lo, hi) => lo + next() * (hi - lo),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
