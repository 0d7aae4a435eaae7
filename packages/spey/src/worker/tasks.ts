/**
 * Ready-made worker tasks for spey computations (`spey/worker/tasks`): a web app starts a worker
 * whose module is `serveWorker(speyTasks)` and sends it model sources — a model description or a
 * pyhf workspace with signal patches, as plain JSON — from a {@link WorkerPool}. The results are
 * plain data: the CLI's `cls --json` / `limit --json` objects, Brazil-band and likelihood-scan
 * data for `spey/plots`, pulls, and model summaries (as `pyhf inspect`).
 */
import { InvalidInput } from "../core/errors.js";
import { describeValue, max, min, sqrt } from "../core/describe.js";
import { PyhfBackend } from "../backends/histfactory/backend.js";
import type { JsonPatch } from "../backends/histfactory/json-patch.js";
import type { ParameterSet } from "../backends/histfactory/parameters.js";
import type { WorkspaceSpec } from "../backends/histfactory/schema.js";
import { WorkspaceInterpreter } from "../backends/histfactory/interpreter.js";
import { Workspace } from "../backends/histfactory/workspace.js";
import "../model/histfactory-backends.js";
import { StatisticalModel } from "../model/statistical-model.js";
import {
  type DescriptionScales,
  modelFromDescription,
  normaliseDescription,
  scaleDescription,
} from "../io/model-description.js";
import { clsSummary, EXPECTED_BAND, limitSummary } from "../io/summaries.js";
import { captureLogs } from "../core/logger.js";
import { brazilBandData, likelihoodScanData, muGrid } from "../plots/scan-data.js";
import type { BrazilBandData, LikelihoodScanData } from "../plots/types.js";
import type { CancellationSignal, TaskContext, TaskHandler } from "./serve.js";

/** A model to compute: a spey model description, or a pyhf workspace with JSON Patches applied in order. */
export type ModelSource =
  | {
      readonly kind: "model";
      /** Name of the input (the model file's name: the CLI's `model` field and the model's analysis name). */
      readonly name: string;
      readonly description: Record<string, unknown>;
      readonly scales?: DescriptionScales;
    }
  | {
      readonly kind: "workspace";
      readonly name: string;
      readonly workspace: WorkspaceSpec;
      /** A key identifying `workspace`, so that a worker validates each workspace once. */
      readonly workspaceKey?: string;
      readonly patches?: readonly JsonPatch[];
      /**
       * What-if: luminosity × `luminosity` (spey-pyhf's `extrapolate_luminosity`) and systematic
       * deviations × `systematics` (`scale_systematics`, normsys and histosys), applied through
       * {@link WorkspaceInterpreter} to the workspace and the signal the patches add.
       */
      readonly scales?: { readonly luminosity?: number; readonly systematics?: number };
    };

/** The CLI's `spey cls --json` object (asymptotic calculator, μ = poiTest, a-posteriori band). */
export interface ClsJson {
  model: string;
  backend: string;
  poiTest: number;
  calculator: "asymptotic";
  /** q̃μ (μ̂ ≥ 0), the CLI's default `--test-stat qtilde`. */
  testStatistic: "qtilde";
  expectedType: "aposteriori";
  bands: string[];
  cls: { observed: number; expected: number[] };
  oneMinusCls: { observed: number; expected: number[] };
}

/** The CLI's `spey limit --json` object (95% CL, asymptotic, a-posteriori band). */
export interface LimitJson {
  model: string;
  backend: string;
  confidenceLevel: number;
  calculator: "asymptotic";
  expectedType: "aposteriori";
  bands: string[];
  upperLimit: { observed: number; expected: number[] };
}

/** `{ cls, limit }` as the CLI prints them for the same input, plus library warnings. */
export interface ResultsJson {
  cls: ClsJson;
  limit: LimitJson;
  warnings?: string[];
}

/** A fitted parameter (best fit on the observed data, μ free). */
export interface Pull {
  readonly name: string;
  readonly value: number;
  /** Nominal value (auxiliary measurement or initial value). */
  readonly nominal: number;
  /** (value − nominal)/prior width, for constrained parameters; undefined for free ones. */
  readonly pull?: number;
}

/** Everything shown for one signal point. */
export interface PointResult extends ResultsJson {
  brazil: BrazilBandData;
  scan: LikelihoodScanData;
  pulls: Pull[];
  muHat: number;
  milliseconds: number;
}

/** Options of the point task. */
export interface PointOptions {
  /** Number of μ values of the Brazil band and the likelihood scan (default 41). */
  readonly points?: number;
}

/** A summary of a model (for workspaces as `pyhf inspect`). */
export interface ModelSummary {
  readonly kind: "model" | "workspace";
  readonly backend: string;
  readonly parameters: number;
  readonly poi: string;
  /** Simplified models: number of bins and the yields. */
  readonly bins?: number;
  readonly yields?: { signal?: number[]; background?: number[]; data?: number[] };
  /** Workspaces: pyhf inspect's tables. */
  readonly channels?: { name: string; bins: number }[];
  readonly samples?: string[];
  readonly modifiers?: { name: string; type: string }[];
  readonly parameterSets?: { name: string; constraint: string; n: number }[];
  readonly measurements?: string[];
}

let cached: { key: string; workspace: Workspace } | undefined;

function baseWorkspace(source: Extract<ModelSource, { kind: "workspace" }>): Workspace {
  if (source.workspaceKey !== undefined && cached?.key === source.workspaceKey) return cached.workspace;
  const workspace = new Workspace(source.workspace);
  if (source.workspaceKey !== undefined) cached = { key: source.workspaceKey, workspace };
  return workspace;
}

/** The statistical model of a source, built as the CLI builds it from files. */
export function buildModel(source: ModelSource): StatisticalModel {
  if (source.kind === "model") {
    const description = source.scales ? scaleDescription(source.description, source.scales) : source.description;
    return modelFromDescription(description, { analysis: source.name });
  }
  if (source.kind !== "workspace")
    throw new InvalidInput(`unknown model source kind ${describeValue((source as { kind?: unknown }).kind)}.`);
  let workspace = baseWorkspace(source);
  const lumi = source.scales?.luminosity ?? 1;
  const syst = source.scales?.systematics ?? 1;
  if (lumi !== 1 || syst !== 1) {
    // The interpreter reads the signal the patches add (`add` of a sample to /channels/i/samples/j)
    // and re-emits it as its own patch after scaling workspace and signal together.
    const patch = (source.patches ?? []).flat();
    const unsupported = patch.find((op) => op.op !== "add" && op.op !== "remove");
    if (unsupported) {
      throw new InvalidInput(
        `luminosity and systematics scaling need signal patches that add samples (pyhf patch sets do); this one has a "${unsupported.op}" operation at ${unsupported.path}.`,
      );
    }
    let interpreter = new WorkspaceInterpreter(workspace);
    interpreter.addPatch(patch);
    if (lumi !== 1) interpreter = interpreter.extrapolateLuminosity(lumi);
    if (syst !== 1) interpreter = interpreter.scaleSystematics(syst);
    workspace = new Workspace(interpreter.backgroundOnlyModel).patch(interpreter.makePatch(), "scaled signal");
  } else {
    for (const [i, patch] of (source.patches ?? []).entries()) workspace = workspace.patch(patch, `patch ${i + 1}`);
  }
  return new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: workspace, signalPatch: [] }), {
    analysis: source.name,
  });
}

function warningsOf<T>(compute: () => T): { value: T; warnings: string[] } {
  const { result, records } = captureLogs(compute);
  const warnings = [
    ...new Set(records.filter((r) => r.level === "warning" || r.level === "error").map((r) => r.message)),
  ];
  return { value: result, warnings };
}

/**
 * The CLI's `cls --json` for a model: {@link clsSummary} (asymptotic, μ = `poiTest`, a-posteriori
 * band) wrapped as `spey cls --json` prints it.
 */
export function clsJson(model: StatisticalModel, name: string, poiTest = 1): ClsJson {
  const summary = clsSummary(model, { poiTest, expected: "aposteriori", calculator: "asymptotic" });
  return {
    model: name,
    backend: model.backendType,
    poiTest: summary.poiTest,
    calculator: "asymptotic",
    testStatistic: "qtilde",
    expectedType: "aposteriori",
    bands: [...EXPECTED_BAND],
    cls: { observed: summary.observed, expected: summary.expected },
    oneMinusCls: { observed: 1 - summary.observed, expected: summary.expected.map((v) => 1 - v) },
  };
}

/** The CLI's `limit --json` for a model: {@link limitSummary} (a-posteriori band) as `spey limit --json` prints it. */
export function limitJson(
  model: StatisticalModel,
  name: string,
  confidenceLevel = 0.95,
  signal?: CancellationSignal,
): LimitJson {
  const { observed, expected } = limitSummary(model, {
    confidenceLevel,
    expected: "aposteriori",
    calculator: "asymptotic",
    // The worker's cancellation flag, read between the root finder's CLs evaluations.
    ...(signal ? { signal: signal as unknown as AbortSignal } : {}),
  });
  return {
    model: name,
    backend: model.backendType,
    confidenceLevel,
    calculator: "asymptotic",
    expectedType: "aposteriori",
    bands: [...EXPECTED_BAND],
    upperLimit: { observed, expected },
  };
}

function results(source: ModelSource, context?: TaskContext): ResultsJson {
  const { value, warnings } = warningsOf(() => {
    const model = buildModel(source);
    context?.signal.throwIfAborted();
    const cls = clsJson(model, source.name);
    context?.signal.throwIfAborted();
    return { cls, limit: limitJson(model, source.name, 0.95, context?.signal) };
  });
  return warnings.length > 0 ? { ...value, warnings } : value;
}

/** Simplified likelihoods whose nuisance parameters θ have unit-width Gaussian constraints around 0. */
const UNIT_NUISANCES = new Set([
  "default.uncorrelated_background",
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
]);

function pullsOf(model: StatisticalModel): { pulls: Pull[]; muHat: number } {
  const config = model.config();
  const indices = Array.from({ length: config.npar }, (_, i) => i);
  const [values] = model.maximizeLikelihood({ poiIndices: indices, allowNegativeSignal: true });
  const backend = model.backend as unknown as { model?: { parameterSets?: readonly ParameterSet[] } };
  const sets = backend.model?.parameterSets;
  const pulls: Pull[] = [];
  const names = config.parameterNames ?? indices.map((i) => (i === config.poiIndex ? "mu" : `theta_${i}`));
  for (const i of indices) {
    if (i === config.poiIndex) continue;
    const value = values[String(i)] as number;
    let nominal = config.suggestedInit[i] as number;
    let width: number | undefined;
    if (sets) {
      const set = sets.find((s) => i >= s.offset && i < s.offset + s.n);
      if (set) {
        const k = i - set.offset;
        if (set.constraint === "normal") {
          nominal = set.auxdata[k] ?? nominal;
          width = set.sigmas[k];
        } else if (set.constraint === "poisson") {
          nominal = 1;
          const tau = set.factors[k];
          width = tau !== undefined && tau > 0 ? 1 / sqrt(tau) : undefined;
        }
      }
    } else if (UNIT_NUISANCES.has(model.backendType)) {
      // Simplified likelihoods: nuisance parameters with unit-width Gaussian constraints around 0.
      nominal = 0;
      width = 1;
    }
    pulls.push({
      name: names[i] as string,
      value,
      nominal,
      ...(width !== undefined && width > 0 ? { pull: (value - nominal) / width } : {}),
    });
  }
  return { pulls, muHat: values[String(config.poiIndex)] as number };
}

function point(input: { source: ModelSource; options?: PointOptions }, context: TaskContext): PointResult {
  const start = performance.now();
  const n = input.options?.points ?? 41;
  const { value, warnings } = warningsOf(() => {
    const source = input.source;
    const model = buildModel(source);
    const cls = clsJson(model, source.name);
    context.signal.throwIfAborted();
    const limit = limitJson(model, source.name, 0.95, context.signal);
    // The numbers first (a page can show them at once), the plot data after.
    context.progress({ step: "results", cls, limit });
    context.signal.throwIfAborted();
    const finite = [limit.upperLimit.observed, ...limit.upperLimit.expected].filter((x) => Number.isFinite(x) && x > 0);
    const top = finite.length > 0 ? 1.6 * max(...finite) : 2;
    const mus = muGrid(0, top, n);
    const bands: BrazilBandData[] = [];
    for (let i = 0; i < mus.length; i += 8) {
      context.signal.throwIfAborted();
      bands.push(brazilBandData(model, mus.slice(i, i + 8)));
    }
    const brazil: BrazilBandData = {
      poiValues: mus,
      observed: bands.flatMap((b) => [...(b.observed ?? [])]),
      expected: bands.flatMap((b) => [...b.expected]),
      confidenceLevel: 0.95,
    };
    context.progress({ step: "brazil" });
    context.signal.throwIfAborted();
    const scan = likelihoodScanData(model, muGrid(min(0, -0.25 * top), top, n));
    context.signal.throwIfAborted();
    const { pulls, muHat } = pullsOf(model);
    return { cls, limit, brazil, scan, pulls, muHat };
  });
  return { ...value, ...(warnings.length > 0 ? { warnings } : {}), milliseconds: performance.now() - start };
}

/** A model summary: parameters and POI; for workspaces channels, samples, modifiers (as `pyhf inspect`). */
export function summarise(source: ModelSource): ModelSummary {
  const model = buildModel(source);
  const config = model.config();
  if (source.kind === "model") {
    const d = normaliseDescription(
      source.scales ? scaleDescription(source.description, source.scales) : source.description,
    );
    const vector = (key: string) =>
      Array.isArray(d[key]) && (d[key] as unknown[]).every((x) => typeof x === "number")
        ? (d[key] as number[])
        : undefined;
    const yields = {
      ...(vector("signalYields") ? { signal: vector("signalYields") } : {}),
      ...(vector("backgroundYields") ? { background: vector("backgroundYields") } : {}),
      ...(vector("data") ? { data: vector("data") } : {}),
    };
    return {
      kind: "model",
      backend: model.backendType,
      parameters: config.npar,
      poi: config.parameterNames?.[config.poiIndex] ?? "μ",
      bins: (yields.data ?? yields.background ?? []).length,
      yields,
    };
  }
  const backend = model.backend as PyhfBackend;
  const ws = backend.workspace;
  const bins = ws.channelNbins;
  return {
    kind: "workspace",
    backend: model.backendType,
    parameters: config.npar,
    poi: backend.model.poiName,
    channels: ws.channels.map((name) => ({ name, bins: bins[name] as number })),
    samples: ws.samples,
    modifiers: ws.modifiers.map(([name, type]) => ({ name, type })),
    parameterSets: backend.model.parameterSets.map((s) => ({ name: s.name, constraint: s.constraint, n: s.n })),
    measurements: ws.measurementNames,
  };
}

/** Spin for `milliseconds` checking the cancellation flag (tests of the pool's cancellation). */
function spin(input: { milliseconds: number; cooperative: boolean }, context: TaskContext): number {
  const end = performance.now() + input.milliseconds;
  let k = 0;
  while (performance.now() < end) {
    k++;
    if (input.cooperative && (k & 1023) === 0) context.signal.throwIfAborted();
  }
  return k;
}

/**
 * The tasks of a spey worker: `results` (the CLI's `{cls, limit}` JSON), `point` (results,
 * Brazil band, likelihood scan, pulls), `summary`, and `spin` (a busy loop, for testing
 * cancellation).
 */
export const speyTasks: Readonly<Record<string, TaskHandler>> = {
  results: ((source: ModelSource, context: TaskContext) => results(source, context)) as TaskHandler,
  point: point as TaskHandler,
  summary: ((source: ModelSource) => summarise(source)) as TaskHandler,
  spin: spin as TaskHandler,
};
