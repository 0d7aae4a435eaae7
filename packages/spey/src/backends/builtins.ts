import { CorrelatedCombiner } from "./combined/correlated-combiner.js";
import { UncorrelatedStatisticsCombiner } from "./combined/uncorrelated-combiner.js";
import type { AnyBackendClass } from "../plugin/registry.js";
import { PyhfBackend, UncorrelatedBackgroundBackend } from "./histfactory/backend.js";
import { PyhfSimplify } from "./histfactory/simplify.js";
import { MultivariateNormal } from "./simple/multivariate-normal.js";
import { Normal } from "./simple/normal.js";
import { Poisson } from "./simple/poisson.js";
import { CorrelatedBackground } from "./simplified/correlated-background.js";
import { EffectiveSigma } from "./simplified/effective-sigma.js";
import { ThirdMomentExpansion } from "./simplified/third-moment-expansion.js";
import { UncorrelatedBackground } from "./simplified/uncorrelated-background.js";

/** The simplified likelihoods: all that the lean entry `spey/simplified` registers. */
export const SIMPLIFIED_BACKENDS: readonly AnyBackendClass[] = [
  UncorrelatedBackground,
  CorrelatedBackground,
  ThirdMomentExpansion,
  EffectiveSigma,
];

/**
 * The backends registered when the main entry `spey` loads: the simple and simplified likelihoods
 * and the combiners.
 */
export const BUILTIN_BACKENDS: readonly AnyBackendClass[] = [
  Poisson,
  Normal,
  MultivariateNormal,
  // listed again rather than spread: a spread keeps this array (and every class) in bundles of SIMPLIFIED_BACKENDS
  UncorrelatedBackground,
  CorrelatedBackground,
  ThirdMomentExpansion,
  EffectiveSigma,
  CorrelatedCombiner,
  UncorrelatedStatisticsCombiner,
];

/**
 * The HistFactory backends (`pyhf`, `pyhf.uncorrelated_background` and the converter
 * `pyhf.simplify`), registered by `spey/histfactory` (and `spey/node`, `spey/io`, `spey/worker`
 * which build on it) rather than by the main entry, so that bundles that only use the simplified
 * likelihoods leave the HistFactory code out.
 */
export const HISTFACTORY_BACKENDS: readonly AnyBackendClass[] = [
  PyhfBackend,
  UncorrelatedBackgroundBackend,
  // A converter (ConverterBase subclass): the registry instantiates it and calls `convert(args)`.
  PyhfSimplify,
];
