import { BatchInputError } from "./errors.js";

/** Shard k of N (1-based k). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parse "k/N" (1 ≤ k ≤ N). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || !(count >= 1 && index >= 1 && index <= count)) {
    throw new BatchInputError(`--shard must be k/N with 1 ≤ k ≤ N (e.g. 1/4); got "${text}".`);
  }
  return { index, count };
}

/** The points of shard k/N: those whose position in the grid is k − 1 modulo N. */
export function selectShard<T extends { readonly index: number }>(points: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...points];
  return points.filter((p) => p.index % shard.count === shard.index - 1);
}
