/**
 * Typed errors. Every error the library throws on purpose is a {@link SpeyError} of one of three
 * kinds, so that callers (and the command line's exit codes) can tell them apart without knowing
 * every class:
 *
 * | kind | base class | meaning | `spey` exit code |
 * | --- | --- | --- | --- |
 * | `"input"` | {@link InputError} | the arguments or documents are wrong; the message names the argument and the fix | 2 |
 * | `"capability"` | {@link CapabilityError} | the model cannot do what was asked (no sampler, no Hessian, no combination routine) | 2 |
 * | `"computation"` | {@link ComputationError} | valid input, but the computation could not produce a trustworthy number | 1 |
 *
 * The specific classes keep the names of spey's `spey.system.exceptions` (`InvalidInput`,
 * `CalculatorNotAvailable`, …) and are subclasses of the three kinds. Every class sets its `name`
 * as a string literal, so names survive minification (a class's own name does not).
 */

/** What went wrong, in three classes of failure (see the table above). */
export type ErrorKind = "input" | "capability" | "computation";

/** Base class of every error this package throws on purpose. */
export class SpeyError extends Error {
  override name = "SpeyError";
  /** The class of failure; `undefined` only for direct `SpeyError`s (plug-ins may throw those). */
  get kind(): ErrorKind | undefined {
    return undefined;
  }
}

/** The caller's input is wrong: arguments, files, documents. The message names the argument and the fix. */
export class InputError extends SpeyError {
  override name = "InputError";
  override get kind(): ErrorKind {
    return "input";
  }
}

/** The model cannot do what was asked: a calculator, a method or a combination it does not provide. */
export class CapabilityError extends SpeyError {
  override name = "CapabilityError";
  override get kind(): ErrorKind {
    return "capability";
  }
}

/** The input is valid, but the computation cannot produce a trustworthy number (no convergence, …). */
export class ComputationError extends SpeyError {
  override name = "ComputationError";
  override get kind(): ErrorKind {
    return "computation";
  }
}

// --- input -------------------------------------------------------------------------------------

/** Bad user input: wrong lengths, negative or non-finite yields, a non-positive-definite matrix… */
export class InvalidInput extends InputError {
  override name = "InvalidInput";
}

/** A backend cannot be found, registered or loaded, or its `speyRequires` range excludes us. */
export class PluginError extends InputError {
  override name = "PluginError";
}

/** A backend class lacks required metadata (`name`, `speyRequires`). */
export class MissingMetaData extends InputError {
  override name = "MissingMetaData";
}

/** A backend class does not implement the required methods. */
export class AbstractModel extends InputError {
  override name = "AbstractModel";
}

/** An unknown test-statistic name. */
export class UnknownTestStatistics extends InputError {
  override name = "UnknownTestStatistics";
}

/** `excludedCrossSection` without a cross section. */
export class UnknownCrossSection extends InputError {
  override name = "UnknownCrossSection";
}

/** A combiner lookup or insertion failed (unknown or duplicate analysis). */
export class AnalysisQueryError extends InputError {
  override name = "AnalysisQueryError";
}

/** A signal-uncertainty modifier is malformed. */
export class InvalidUncertaintyDefinition extends InputError {
  override name = "InvalidUncertaintyDefinition";
}

/** A distribution was configured with an unknown type or inconsistent arguments. */
export class DistributionError extends InputError {
  override name = "DistributionError";
}

// --- capability --------------------------------------------------------------------------------

/** The requested calculator ("asymptotic", "toy", "chi_square") is not available for this model. */
export class CalculatorNotAvailable extends CapabilityError {
  override name = "CalculatorNotAvailable";
}

/** The backend does not implement a method this operation needs (sampler, Hessian…). */
export class MethodNotAvailable extends CapabilityError {
  override name = "MethodNotAvailable";
}

/** The backend has no `combine` routine. */
export class CombinerNotAvailable extends CapabilityError {
  override name = "CombinerNotAvailable";
}

// --- computation -------------------------------------------------------------------------------

/** A likelihood produced negative expected yields where they are not allowed. */
export class NegativeExpectedYields extends ComputationError {
  override name = "NegativeExpectedYields";
}

/**
 * The Asimov test statistic √q_{μ,A} vanished (or fell below the tolerance) in the q̃μ branch of
 * arXiv:1007.1727 eq. 66: there is no sensitivity, callers treat it as 1−CLs = 0.
 */
export class AsimovTestStatZero extends ComputationError {
  override name = "AsimovTestStatZero";
  constructor(
    message = "Asimov test statistic is zero. Note: Asimov test statistic of zero indicates a lack of evidence for a signal or deviation from a null hypothesis.",
  ) {
    super(message);
  }
}

/** An iterative algorithm stopped without meeting its convergence criterion. */
export class ConvergenceError extends ComputationError {
  override name = "ConvergenceError";
}
