// The public API of spey for TypeScript. This file only lists exports.

export { VERSION, SPEY_REFERENCE_VERSION } from "./version.js";
export {
  SpeyError,
  InvalidInput,
  PluginError,
  MissingMetaData,
  AbstractModel,
  CalculatorNotAvailable,
  UnknownTestStatistics,
  MethodNotAvailable,
  CombinerNotAvailable,
  UnknownCrossSection,
  AnalysisQueryError,
  InvalidUncertaintyDefinition,
  NegativeExpectedYields,
  DistributionError,
  AsimovTestStatZero,
  ConvergenceError,
} from "./errors.js";
export { log, setLogLevel, getLogLevel, setLogHandler, captureLogs } from "./logger.js";
export type { LogLevelName, LogRecord, LogHandler } from "./logger.js";
export { ExpectationType } from "./expectation.js";
export type { ExpectationOrAll } from "./expectation.js";

// Plug-in API
export { ModelConfig } from "./config/model-config.js";
export type { Bound, BoundInput, ModelConfigInit, ParameterValues } from "./config/model-config.js";
export { BackendBase, ConverterBase } from "./backends/backend-base.js";
export type { BackendClass, BackendMetadataFields } from "./backends/backend-base.js";
export type {
  ConfigOptions,
  LikelihoodOptions,
  ObjectiveOptions,
  LogpdfFunction,
  ObjectiveFunction,
  HessianFunction,
  Sampler,
  FastPathResult,
  FastPathConditionalOptions,
  FastPathFreeOptions,
  NumericArray,
  Parameters,
} from "./backends/types.js";
export {
  registerBackend,
  getBackend,
  availableBackends,
  getBackendMetadata,
  getBackendBibtex,
  resetBackendEntries,
  loadPlugins,
} from "./backends/registry.js";
export type { BackendFactory, BackendMetadata, ConverterClass } from "./backends/registry.js";
export { discoverPlugins } from "./backends/plugin-discovery.js";
export type { PluginEntry } from "./backends/plugin-discovery.js";

// Built-in backends
export { Poisson } from "./backends/simple/poisson.js";
export { Normal } from "./backends/simple/normal.js";
export { MultivariateNormal } from "./backends/simple/multivariate-normal.js";

export {
  UncorrelatedBackground,
  CorrelatedBackground,
  ThirdMomentExpansion,
  EffectiveSigma,
  SimplifiedLikelihoodBase,
  parseCommonInputs,
  LinearBackground,
  QuadraticBackground,
  EffectiveSigmaBackground,
  GaussianBlock,
  thirdMomentExpansion,
  computeThirdMoments,
  correlationToCovariance,
  covarianceToCorrelation,
  ensurePositiveDefinite,
  symmetriseMatrix,
  mergeCorrelatedBins,
  signalUncertaintySynthesizer,
} from "./backends/simplified/index.js";
export type {
  UncorrelatedBackgroundArgs,
  CorrelatedBackgroundArgs,
  ThirdMomentExpansionArgs,
  EffectiveSigmaArgs,
  CommonInputs,
  SimplifiedLikelihoodArgs,
  SimplifiedModelParts,
  BackgroundModel,
  ModifierDefinition,
  ThirdMomentCoefficients,
  MatrixInput,
  MergeCorrelatedBinsArgs,
  MergedBins,
  SynthesizedUncertainties,
} from "./backends/simplified/index.js";

// HistFactory (pyhf JSON workspaces)
export * from "./backends/histfactory/index.js";

// Statistical model and hypothesis testing
export { StatisticalModel } from "./interface/statistical-model.js";
export type {
  StatisticalModelOptions,
  LikelihoodOptions as ModelLikelihoodOptions,
  MaximizeOptions,
  AsimovOptions,
  FitControls,
} from "./interface/statistical-model.js";
export { HypothesisTestingBase } from "./hypothesis/hypothesis-testing-base.js";
export type {
  Calculator,
  ExclusionOptions,
  UpperLimitOptions,
  HypotestPreparation,
  Chi2Options,
} from "./hypothesis/hypothesis-testing-base.js";
export type { Chi2TestOptions } from "./hypothesis/chi2-test.js";
export type { ToyOptions } from "./hypothesis/toy-calculator.js";
export {
  qmu,
  qmuTilde,
  q0,
  qmuLeft,
  getTestStatistic,
  computeTestStatistics,
  ASIMOV_TESTSTAT_TOLERANCE,
} from "./hypothesis/test-statistics.js";
export { computeAsymptoticConfidenceLevel, computeToyConfidenceLevel } from "./hypothesis/asymptotic-calculator.js";
export {
  AsymptoticTestStatisticsDistribution,
  EmpiricalTestStatisticsDistribution,
  pvalues,
  expectedPvalues,
} from "./hypothesis/distributions.js";
export type { ExpectedPvalue } from "./hypothesis/upper-limit.js";

// Numerics
export { Random } from "./math/random.js";
export type { RandomSource } from "./math/random.js";
export { minimize } from "./optimize/minimize.js";
export type { MinimizeOptions, MinimizeProblem, MinimizeResult } from "./optimize/types.js";

// Combinations
export { UnCorrStatisticsCombiner } from "./combiner/uncorrelated-combiner.js";
export type {
  CombinedData,
  CombinerLikelihoodOptions,
  CombinerMaximizeOptions,
} from "./combiner/uncorrelated-combiner.js";
export { CorrelatedCombiner } from "./combiner/correlated-combiner.js";
export type { CorrelatedCombinerArgs, SharedParameter, CombinableModel } from "./combiner/correlated-combiner.js";

// Multi-parameter inference
export { findContour } from "./multiparameter/contour.js";
export type { ContourOptions, ContourResult } from "./multiparameter/contour.js";
