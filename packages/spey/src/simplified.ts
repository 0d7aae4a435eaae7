// The lean entry `spey/simplified`: the simplified likelihoods with the inference a web page needs.
// `getBackend` here builds LeanStatisticalModels (CLs, upper limits, significance, χ², pulls, σμ,
// fits; no toy calculator and no chi2Test method) and loading this entry registers only the
// simplified likelihoods (model/simplified-backends.ts), so that a browser bundle of it stays small
// (docs/architecture.md, "What a bundle of getBackend carries"). It shares the package's one backend
// registry with `spey`. This file only lists exports.

export { VERSION, SPEY_REFERENCE_VERSION } from "./core/version.js";
export * from "./core/errors.js";
export type { ErrorKind } from "./core/errors.js";
export { log, setLogLevel, getLogLevel, setLogHandler, captureLogs } from "./core/logger.js";
export type { LogLevelName, LogRecord, LogHandler } from "./core/logger.js";
export { setActivityHandler } from "./core/activity.js";
export type { ActivityHandler, ActivityKind } from "./core/activity.js";
export { ExpectationType } from "./core/expectation.js";
export type { ExpectationOrAll, ExpectedOption } from "./core/expectation.js";
export { ModelConfig } from "./config/model-config.js";
export { BackendBase } from "./plugin/backend-base.js";

export { getBackend, registerSimplifiedBackends } from "./model/simplified-backends.js";
export type { LeanBackendFactory } from "./model/simplified-backends.js";
export {
  availableBackends,
  getBackendBibtex,
  getBackendMetadata,
  loadPlugins,
  registerBackend,
  resetBackendEntries,
} from "./model/backend-registry.js";
export { LeanStatisticalModel } from "./model/statistical-model.js";
export type {
  AsimovOptions,
  FitControls,
  FixedPoiSamplerOptions,
  MaximizeOptions,
  StatisticalModelOptions,
} from "./model/statistical-model.js";
export type {
  ExclusionOptions,
  ExclusionTailProbabilities,
  PullOptions,
  SigmaMuOptions,
  SignificanceOptions,
  UpperLimitOptions,
  Chi2Options,
} from "./inference/hypothesis-testing-base.js";
// The generator to pass as `rng` to fixedPoiSampler (the lean model has no default one).
export { Random } from "./math/random.js";
export type { RandomSource } from "./math/random.js";
// The profile-likelihood intervals as a function (spey's `chi2_test`): in a bundle only where called.
export { chi2Test } from "./inference/chi2-test.js";
export type { Chi2TestOptions } from "./inference/chi2-test.js";

export * from "./backends/simplified/index.js";

export { clsSummary, limitSummary, EXPECTED_BAND } from "./io/summaries.js";
export type { ClsSummary, ClsSummaryOptions, LimitSummary, LimitSummaryOptions } from "./io/summaries.js";
