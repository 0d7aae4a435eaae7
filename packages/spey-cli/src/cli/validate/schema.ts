/**
 * What `spey validate` knows about the arguments of the built-in backends (spey's keyword
 * arguments, in camelCase). Backends not listed here are checked by building them only.
 */
export interface BackendSchema {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Arguments whose entries must be ≥ 0 (Poisson counts, background yields, uncertainties). */
  readonly nonNegative: readonly string[];
}

const SIGNAL_EXTRAS = ["modifiers", "nSignalParameters", "signalParameterBounds"];
const COUNTS = ["backgroundYields", "data"];

export const BACKEND_SCHEMAS: Readonly<Record<string, BackendSchema>> = {
  "default.poisson": {
    required: ["signalYields", "backgroundYields", "data"],
    optional: ["absoluteUncertainties", "nSignalParameters", "signalParameterBounds"],
    nonNegative: [...COUNTS, "absoluteUncertainties"],
  },
  "default.normal": {
    required: ["signalYields", "backgroundYields", "data", "absoluteUncertainties"],
    optional: ["nSignalParameters", "signalParameterBounds"],
    nonNegative: ["absoluteUncertainties"],
  },
  "default.multivariate_normal": {
    required: ["signalYields", "backgroundYields", "data", "covarianceMatrix"],
    optional: ["nSignalParameters", "signalParameterBounds"],
    nonNegative: [],
  },
  "default.uncorrelated_background": {
    required: ["signalYields", "backgroundYields", "data", "absoluteUncertainties"],
    optional: SIGNAL_EXTRAS,
    nonNegative: [...COUNTS, "absoluteUncertainties"],
  },
  "default.correlated_background": {
    required: ["signalYields", "backgroundYields", "data", "covarianceMatrix"],
    optional: SIGNAL_EXTRAS,
    nonNegative: COUNTS,
  },
  "default.third_moment_expansion": {
    required: ["signalYields", "backgroundYields", "data", "covarianceMatrix", "thirdMoment"],
    optional: SIGNAL_EXTRAS,
    nonNegative: COUNTS,
  },
  "default.effective_sigma": {
    required: ["signalYields", "backgroundYields", "data", "correlationMatrix", "absoluteUncertaintyEnvelops"],
    optional: [...SIGNAL_EXTRAS, "absoluteUncertaintyEnvelopes"],
    nonNegative: COUNTS,
  },
};

/** Arguments every backend factory accepts. */
export const UNIVERSAL_ARGUMENTS = ["analysis", "xsection", "ntoys"] as const;

/** Arguments holding one number per bin. */
export const PER_BIN_VECTORS = [
  "signalYields",
  "backgroundYields",
  "data",
  "absoluteUncertainties",
  "thirdMoment",
] as const;

/** Arguments holding a bins × bins matrix. */
export const MATRICES = ["covarianceMatrix", "correlationMatrix"] as const;

/** Arguments holding one [upper, lower] pair per bin. */
export const ENVELOPES = ["absoluteUncertaintyEnvelops", "absoluteUncertaintyEnvelopes"] as const;

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate within a few edits, for " (did you mean …?)". */
export function suggestion(
  word: string,
  candidates: readonly string[],
  format: (c: string) => string = (c) => c,
): string {
  let best: string | undefined;
  let distance = Math.max(3, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < distance) {
      distance = d;
      best = candidate;
    }
  }
  return best === undefined ? "" : ` (did you mean "${format(best)}"?)`;
}
