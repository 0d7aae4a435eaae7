// The HistFactory (pyhf JSON) backend: workspaces, patches, the likelihood, the spey backends and
// the full → simplified converter. This file only lists exports.

export {
  HistFactoryBackend,
  PyhfBackend,
  UncorrelatedBackgroundBackend,
  uncorrelatedBackgroundWorkspace,
} from "./backend.js";
export type { HistFactoryBackendOptions, PoiBoundsMode, PyhfArgs, UncorrelatedBackgroundArgs } from "./backend.js";
export { candidateDigests, digestOfJsonText, pythonJsonDumps, pythonJsonDumpsText, sha256Hex } from "./digest.js";
export {
  formatJsonPath,
  InvalidWorkspaceOperation,
  JsonPatchError,
  PatchSetVerificationError,
  WorkspaceError,
} from "./errors.js";
export type { JsonPath } from "./errors.js";
export {
  code4Coefficients,
  interpolateCode0,
  interpolateCode1,
  interpolateCode2,
  interpolateCode4,
  interpolateCode4p,
} from "./interpolation.js";
export { applyJsonPatch, parseJsonPointer, toJsonPointer, validateJsonPatch } from "./json-patch.js";
export type { JsonPatch, JsonPatchOperation, JsonValue } from "./json-patch.js";
export { LikelihoodEvaluator } from "./evaluator.js";
export type { ModelData } from "./evaluator.js";
export { HistFactoryModel } from "./model.js";
export { PYHF_MODIFIER_SETTINGS, ROOT_MODIFIER_SETTINGS, resolveModifierSettings } from "./modifier-settings.js";
export type { ModifierSettings } from "./modifier-settings.js";
export type { ParameterSet } from "./parameters.js";
export { PatchSet } from "./patchset.js";
export type { PatchKey, PatchSetEntry } from "./patchset.js";
export {
  MODIFIER_TYPES,
  validateMeasurement,
  validateModifier,
  validatePatchSet,
  validateWorkspace,
} from "./schema.js";
export type {
  ChannelSpec,
  MeasurementSpec,
  ModifierSpec,
  ModifierType,
  ObservationSpec,
  ParameterConfigSpec,
  PatchSetSpec,
  SampleSpec,
  WorkspaceSpec,
} from "./schema.js";
export { compareUpperLimits, guessChannelType, PyhfSimplify, simplifyHistFactory } from "./simplify.js";
export type { SimplificationSummary, SimplifyArgs } from "./simplify.js";
export { Workspace } from "./workspace.js";
export type { JoinOperation, MeasurementSelection, WorkspaceModelOptions } from "./workspace.js";
export {
  STATISTICAL_MODIFIER_TYPES,
  SYSTEMATIC_MODIFIER_TYPES,
  WorkspaceInterpreter,
} from "./interpreter.js";
export type { ChannelType, ScaleSystematicsOptions, SignalMap, SummaryOptions } from "./interpreter.js";
