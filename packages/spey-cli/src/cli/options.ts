import { InvalidArgumentError } from "commander";
import { type Shard, parseShard } from "../batch/shard.js";

/** Option parser: a finite number. */
export function finiteNumber(name: string) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === "" || !Number.isFinite(x))
      throw new InvalidArgumentError(`${name} must be a number; got "${value}".`);
    return x;
  };
}

/** Option parser: a confidence level strictly between 0 and 1. */
export function confidenceLevel(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1)) throw new InvalidArgumentError(`--cl must be between 0 and 1 (e.g. 0.95); got "${value}".`);
  return x;
}

/** Option parser: an integer ≥ `min`. */
export function integerAtLeast(name: string, min: number) {
  return (value: string): number => {
    const x = Number(value);
    if (!Number.isInteger(x) || x < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}; got "${value}".`);
    return x;
  };
}

/** Option parser: one of a list of words. */
export function oneOf<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${choices.join(", ")}; got "${value}".`);
    }
    return value as T;
  };
}

/** Expected-band choices. */
export const expectedBand = oneOf("--expected", ["aposteriori", "apriori"] as const);

/** Calculator choices. */
export const calculator = oneOf("--calculator", ["asymptotic", "chi_square", "toy"] as const);

/** Calculators of upper limits. */
export const limitCalculator = oneOf("--calculator", ["asymptotic", "toy"] as const);

/** Toy options shared by the commands that offer the toy calculator. */
export interface ToyFlags {
  readonly ntoys: number;
  readonly seed: number;
}

/** Add `--ntoys` and `--seed` to a command. */
export function withToyOptions<C extends { option(...args: never[]): C }>(command: C): C {
  const add = command.option as unknown as (flags: string, description: string, parse: unknown, fallback: unknown) => C;
  add.call(
    command,
    "--ntoys <n>",
    "pseudo-experiments per hypothesis (toy calculator)",
    integerAtLeast("--ntoys", 1),
    1000,
  );
  return add.call(command, "--seed <n>", "seed of the toys: same seed, same answer", integerAtLeast("--seed", 0), 0);
}

/** A μ range "start:stop" or "start:stop:points". */
export interface MuRange {
  readonly start: number;
  readonly stop: number;
  readonly points?: number;
}

/** Option parser for `--mu start:stop[:points]`. */
export function muRange(value: string): MuRange {
  const parts = value.split(":").map((p) => p.trim());
  const numbers = parts.map(Number);
  const [start, stop, points] = numbers as [number, number, number | undefined];
  const valid =
    (parts.length === 2 || parts.length === 3) &&
    parts.every((p) => p !== "") &&
    Number.isFinite(start) &&
    Number.isFinite(stop) &&
    stop > start &&
    (points === undefined || (Number.isInteger(points) && points >= 2));
  if (!valid) {
    throw new InvalidArgumentError(
      `--mu must be start:stop or start:stop:points with start < stop and points ≥ 2 (e.g. 0:3:31); got "${value}".`,
    );
  }
  return points === undefined ? { start, stop } : { start, stop, points };
}

/** Option parser for `--shard k/N`. */
export function shard(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Collect repeated option values into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Test statistics (pyhf's `--test-stat`): q̃μ ("qtilde", μ̂ ≥ 0) or qμ ("q", μ̂ free). */
export const testStatistic = oneOf("--test-stat", ["qtilde", "q"] as const);

/** pyhf's `--calctype`: "asymptotics" or "toybased". */
export const calctype = oneOf("--calctype", ["asymptotics", "toybased"] as const);

/**
 * One value from an option and its pyhf-named alias (`--poi-test` / `--test-poi`): either, or
 * both when they agree; `fallback` when neither is given.
 */
export function aliased<T>(
  name: string,
  value: T | undefined,
  alias: string,
  aliasValue: T | undefined,
  fallback: T,
): T {
  if (value !== undefined && aliasValue !== undefined && value !== aliasValue) {
    throw new InvalidArgumentError(`${name} ${String(value)} and ${alias} ${String(aliasValue)} disagree; give one.`);
  }
  return value ?? aliasValue ?? fallback;
}

/** The calculator from `--calculator` and pyhf's `--calctype`. */
export function resolveCalculator<C extends string>(
  calculatorName: C | undefined,
  pyhfName: string | undefined,
  fallback: C,
): C {
  const fromPyhf =
    pyhfName === undefined ? undefined : ((pyhfName === "toybased" ? "toy" : "asymptotic") as unknown as C);
  return aliased("--calculator", calculatorName, "--calctype", fromPyhf, fallback);
}

/** Option parser: an integer in [min, max]. */
export function integerBetween(name: string, min: number, max: number) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === "" || !Number.isInteger(x) || x < min || x > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}; got "${value}".`);
    return x;
  };
}

/** Option parser: a number in [min, max]. */
export function numberBetween(name: string, min: number, max: number) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === "" || !(x >= min && x <= max))
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}; got "${value}".`);
    return x;
  };
}
