// The public API of spey for TypeScript. This file only lists exports.

export { VERSION, SPEY_REFERENCE_VERSION } from "./core/version.js";
export {
  SpeyError,
  InputError,
  CapabilityError,
  ComputationError,
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
} from "./core/errors.js";
export type { ErrorKind } from "./core/errors.js";
export { describeValue, isArrayLike, MAX_JSON_DEPTH, nestedDeeperThan } from "./core/describe.js";
export { log, setLogLevel, getLogLevel, setLogHandler, captureLogs } from "./core/logger.js";
export type { LogLevelName, LogRecord, LogHandler } from "./core/logger.js";
export { setActivityHandler } from "./core/activity.js";
export type { ActivityHandler, ActivityKind } from "./core/activity.js";
export { ExpectationType } from "./core/expectation.js";
export type { ExpectationOrAll, ExpectedOption } from "./core/expectation.js";

// Plug-in API
export { ModelConfig } from "./config/model-config.js";
export type {
  AllowNegativeSignalOption,
  Bound,
  BoundInput,
  ModelConfigInit,
  ParameterValues,
  PoiTestOption,
} from "./config/model-config.js";
export { BackendBase, ConverterBase } from "./plugin/backend-base.js";
export type { BackendClass, BackendMetadataFields } from "./plugin/backend-base.js";
export type {
  ConfigOptions,
  ExpectedDataOptions,
  LikelihoodOptions,
  ObjectiveOptions,
  LogpdfFunction,
  ObjectiveFunction,
  HessianFunction,
  Sampler,
  FastPathResult,
  FastPathConditionalOptions,
  FastPathFreeOptions,
  FitHookRequest,
  ParameterLimits,
  NumericArray,
  Parameters,
} from "./plugin/types.js";
export {
  registerBackend,
  getBackend,
  availableBackends,
  getBackendMetadata,
  getBackendBibtex,
  resetBackendEntries,
  loadPlugins,
} from "./model/get-backend.js";
export type { BackendFactory } from "./model/get-backend.js";
export { BackendRegistry } from "./plugin/registry.js";
export type { AnyBackendClass, BackendMetadata, ConverterClass } from "./plugin/registry.js";
export { camelCase, camelCaseKeys } from "./core/naming.js";
export { discoverPlugins } from "./plugin/discovery.js";
export type { PluginEntry } from "./plugin/discovery.js";

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
export { LeanStatisticalModel, StatisticalModel } from "./model/statistical-model.js";
export type {
  FixedPoiSamplerOptions,
  StatisticalModelOptions,
  LikelihoodOptions as ModelLikelihoodOptions,
  MaximizeOptions,
  AsimovOptions,
  FitControls,
} from "./model/statistical-model.js";
export { HypothesisTests } from "./inference/hypothesis-testing-base.js";
export type {
  AsimovTeststatToleranceOption,
  ExclusionOptions,
  UpperLimitOptions,
  Chi2Options,
  PullOptions,
  SigmaMuOptions,
  SignificanceOptions,
} from "./inference/hypothesis-testing-base.js";
export { asimovSigmaMu } from "./inference/profile-likelihood.js";
export type {
  Calculator,
  FitSettings,
  HypotestPreparation,
  MaximumLikelihood,
  ProfileLikelihood,
} from "./inference/profile-likelihood.js";
export { chi2Test } from "./inference/chi2-test.js";
export type { Chi2TestOptions } from "./inference/chi2-test.js";
export type { ToyOptions } from "./inference/toy-calculator.js";
export {
  qmu,
  qmuTilde,
  q0,
  qmuLeft,
  getTestStatistic,
  testStatistic,
  TEST_STATISTICS,
  QTILDE,
  QMU,
  Q0,
  QMU_LEFT,
  computeTestStatistics,
  ASIMOV_TESTSTAT_TOLERANCE,
} from "./inference/test-statistics.js";
export type { TestStatistic, TestStatisticFunction } from "./inference/test-statistics.js";
export { computeAsymptoticConfidenceLevel, computeToyConfidenceLevel } from "./inference/asymptotic-calculator.js";
export {
  AsymptoticTestStatisticsDistribution,
  EmpiricalTestStatisticsDistribution,
  pvalues,
  expectedPvalues,
} from "./inference/distributions.js";
export type { ExpectedPvalue } from "./inference/upper-limit.js";

// Numerics
export { Random } from "./math/random.js";
export type { RandomSource } from "./math/random.js";
export { minimize } from "./optimize/minimize.js";
export type { MinimizeOptions, MinimizeProblem, MinimizeResult, OptimiserOptions } from "./optimize/types.js";

// Combinations
export { UnCorrStatisticsCombiner } from "./model/uncorrelated-combiner.js";
export type {
  CombinedData,
  CombinerAsimovOptions,
  CombinerLikelihoodOptions,
  CombinerMaximizeOptions,
} from "./model/uncorrelated-combiner.js";
export { CorrelatedCombiner, CorrelatedStatisticsCombiner } from "./backends/combined/correlated-combiner.js";
export type { CorrelatedCombinerArgs, SharedParameter } from "./backends/combined/correlated-combiner.js";
export { UncorrelatedStatisticsCombiner } from "./backends/combined/uncorrelated-combiner.js";
export {
  CombinerBase,
  PerAnalysisData,
  finiteDifferenceObjective,
} from "./backends/combined/combiner-base.js";
export type {
  CombinableModel,
  CombinerBaseArgs,
  CombinedMember,
  ModelKey,
  ParameterMap,
  PerAnalysisDataRecord,
} from "./backends/combined/combiner-base.js";

// Multi-parameter inference
export { findContour } from "./inference/contour.js";
export type { ContourOptions, ContourResult } from "./inference/contour.js";

// Summaries shown by every front end: CLs with its band, the upper limit with its band
export { clsSummary, limitSummary, EXPECTED_BAND } from "./io/summaries.js";
export type {
  ClsSummary,
  ClsSummaryOptions,
  LimitSummary,
  LimitSummaryOptions,
  ExpectedBandType,
  SummaryModel,
} from "./io/summaries.js";

// Callable signals with user derivatives
export type {
  DerivativeSource,
  SignalDerivativeArgs,
  SignalFunction,
  SignalHessianFunction,
  SignalJacobianFunction,
} from "./backends/signal.js";
export {
  computeAsymptoticTailProbabilities,
  computeToyTailProbabilities,
} from "./inference/asymptotic-calculator.js";
export type { TailProbabilities } from "./inference/asymptotic-calculator.js";
export type { ExclusionTailProbabilities } from "./inference/hypothesis-testing-base.js";
