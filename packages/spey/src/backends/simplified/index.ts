// The simplified-likelihood backends and their helper functions (spey's `spey.backends.default_pdf`).
export { UncorrelatedBackground } from "./uncorrelated-background.js";
export type { UncorrelatedBackgroundArgs } from "./uncorrelated-background.js";
export { CorrelatedBackground } from "./correlated-background.js";
export type { CorrelatedBackgroundArgs } from "./correlated-background.js";
export { ThirdMomentExpansion } from "./third-moment-expansion.js";
export type { ThirdMomentExpansionArgs } from "./third-moment-expansion.js";
export { EffectiveSigma } from "./effective-sigma.js";
export type { EffectiveSigmaArgs } from "./effective-sigma.js";
export { SimplifiedLikelihoodBase, parseCommonInputs } from "./poisson-main.js";
export type { CommonInputs, SimplifiedLikelihoodArgs, SimplifiedModelParts } from "./poisson-main.js";
// Extension points for new simplified-likelihood variants (a background model nᵢ(θᵢ) and a
// Gaussian constraint block are all a subclass of SimplifiedLikelihoodBase needs).
export type { BackgroundModel } from "./backgrounds.js";
export { EffectiveSigmaBackground, LinearBackground, QuadraticBackground } from "./backgrounds.js";
export { GaussianBlock } from "./constraints.js";
export type { ModifierDefinition } from "./modifiers.js";
export { thirdMomentExpansion } from "./third-moment.js";
export type { ThirdMomentCoefficients } from "./third-moment.js";
export {
  computeThirdMoments,
  correlationToCovariance,
  covarianceToCorrelation,
  ensurePositiveDefinite,
  symmetriseMatrix,
} from "./helpers.js";
export type { MatrixInput } from "./helpers.js";
export { mergeCorrelatedBins, signalUncertaintySynthesizer } from "./bin-merging.js";
export type { MergeCorrelatedBinsArgs, MergedBins, SynthesizedUncertainties } from "./bin-merging.js";
