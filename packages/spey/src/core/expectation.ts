import { InvalidInput } from "./errors.js";
import { describeValue } from "./describe.js";

/**
 * Which data a computation uses and what it returns (spey's `ExpectationType`):
 * - `observed`: the observed data; hypothesis tests return the observed value;
 * - `aposteriori`: the observed data; tests return the five post-fit expected values (−2σ…+2σ);
 * - `apriori`: the background yields as data; tests return the five pre-fit expected values.
 */
export const ExpectationType = {
  apriori: "apriori",
  aposteriori: "aposteriori",
  observed: "observed",
} as const;

export type ExpectationType = (typeof ExpectationType)[keyof typeof ExpectationType];

/**
 * The `expected` option of every likelihood, fit and hypothesis test (spey's `expected` argument),
 * defined once here: which data are used and which result is returned.
 */
export interface ExpectedOption {
  /** See {@link ExpectationType}. Default "observed". */
  readonly expected?: ExpectationType;
}

/** `exclusionConfidenceLevel` also accepts "all": observed value plus the post-fit expected band. */
export type ExpectationOrAll = ExpectationType | "all";

const NAMES: readonly string[] = ["apriori", "aposteriori", "observed"];

/** Validate an `expected` option (default "observed"), throwing InvalidInput naming the value. */
export function toExpectation(value: unknown, argument = "expected"): ExpectationType {
  if (value === undefined || value === null) return "observed";
  if (typeof value === "string" && NAMES.includes(value)) return value as ExpectationType;
  throw new InvalidInput(
    `${argument} must be one of "observed", "aposteriori", "apriori"; got ${describeValue(value)}.`,
  );
}

/**
 * Validate a `confidenceLevel` option of a hypothesis test, limit or contour (spey's `confidence_level`,
 * default 0.95): a number strictly between 0 and 1, else InvalidInput naming the value.
 */
export function toConfidenceLevel(value: number | undefined): number {
  const cl = value ?? 0.95;
  if (!(cl > 0 && cl < 1)) throw new InvalidInput(`confidenceLevel must be between 0 and 1 (exclusive); got ${value}.`);
  return cl;
}
