/**
 * Typed errors (spey `spey.system.exceptions`, spec §19.2). Every message names the argument at
 * fault and, where there is one, the fix.
 */

/** Base class of every error this package throws on purpose. */
export class SpeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad user input: wrong lengths, negative or non-finite yields, a non-positive-definite matrix... */
export class InvalidInput extends SpeyError {}

/** A backend cannot be found, registered or loaded, or its `speyRequires` range excludes us. */
export class PluginError extends SpeyError {}

/** A backend class lacks required metadata (`name`, `speyRequires`). */
export class MissingMetaData extends SpeyError {}

/** A backend class does not implement the required methods. */
export class AbstractModel extends SpeyError {}

/** The requested calculator ("asymptotic", "toy", "chi_square") is not available for this model. */
export class CalculatorNotAvailable extends SpeyError {}

/** An unknown test-statistic name. */
export class UnknownTestStatistics extends SpeyError {}

/** The backend does not implement a method this operation needs (sampler, Hessian...). */
export class MethodNotAvailable extends SpeyError {}

/** The backend has no `combine` routine. */
export class CombinerNotAvailable extends SpeyError {}

/** `excludedCrossSection` without a cross section. */
export class UnknownCrossSection extends SpeyError {}

/** A combiner lookup or insertion failed (unknown or duplicate analysis). */
export class AnalysisQueryError extends SpeyError {}

/** A signal-uncertainty modifier is malformed. */
export class InvalidUncertaintyDefinition extends SpeyError {}

/** A likelihood produced negative expected yields where they are not allowed. */
export class NegativeExpectedYields extends SpeyError {}

/** A distribution was configured with an unknown type or inconsistent arguments. */
export class DistributionError extends SpeyError {}

/**
 * The Asimov test statistic √q_{μ,A} vanished (or fell below the tolerance) in the q̃μ branch of
 * arXiv:1007.1727 eq. 66: there is no sensitivity, callers treat it as 1−CLs = 0.
 */
export class AsimovTestStatZero extends SpeyError {
  constructor(
    message = "Asimov test statistic is zero. Note: Asimov test statistic of zero indicates a lack of evidence for a signal or deviation from a null hypothesis.",
  ) {
    super(message);
  }
}

/** An iterative algorithm stopped without meeting its convergence criterion. */
export class ConvergenceError extends SpeyError {}
