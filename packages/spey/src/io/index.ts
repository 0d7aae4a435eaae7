/**
 * Loading likelihood inputs without a file system (`spey/io`): files, bytes, JSON text or objects
 * sorted into model files, pyhf workspaces, patch sets and JSON Patches; HEPData `.tar.gz`/`.zip`
 * archives unpacked in the browser; model descriptions turned into models. This file only lists exports.
 */
export { archiveKind, inflate, readArchive, readTar, readZip } from "./archive.js";
export type { ArchiveEntry, ArchiveKind, ReadArchiveOptions } from "./archive.js";
export { fetchInput, jsonKind, loadInputs, pairLikelihoods, urlName, workspaceSpec } from "./inputs.js";
export type {
  InputContent,
  JsonKind,
  JsonPatchInput,
  LikelihoodPair,
  LoadedInputs,
  ModelInput,
  NamedInput,
  PatchSetInput,
  WorkspaceInput,
} from "./inputs.js";
export { modelFromDescription, normaliseDescription, scaleDescription } from "./model-description.js";
export type { DescriptionScales } from "./model-description.js";
export { clsSummary, EXPECTED_BAND, limitSummary } from "./summaries.js";
export type {
  ClsSummary,
  ClsSummaryOptions,
  ExpectedBandType,
  LimitSummary,
  LimitSummaryOptions,
  SummaryModel,
} from "./summaries.js";
