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

/** The backends that ship with the package, registered at start-up. */
export const BUILTIN_BACKENDS: readonly AnyBackendClass[] = [
  Poisson,
  Normal,
  MultivariateNormal,
  UncorrelatedBackground,
  CorrelatedBackground,
  ThirdMomentExpansion,
  EffectiveSigma,
  CorrelatedCombiner,
  UncorrelatedStatisticsCombiner,
  PyhfBackend,
  UncorrelatedBackgroundBackend,
  // A converter (ConverterBase subclass): the registry instantiates it and calls `convert(args)`.
  PyhfSimplify,
];
