/**
 * `pyhf.simplify`: full HistFactory likelihood → simplified likelihood (spey-pyhf's `Simplify`
 * converter; its documentation "Converting full statistical models to simplified likelihood
 * framework"). The background of the signal regions is summarised by its mean, covariance and
 * (optionally) third moments, estimated from the fluctuations of the nuisance parameters:
 *
 * 1. the control model L^c — the control and validation channels only — is fitted at μ = 0 to the
 *    observed data ("postfit") or to the background expectation ("prefit");
 * 2. the nuisance parameters are sampled from N(θ̂^c, V) with V⁻¹ = −∂²log L^c/∂θ∂θ (the Hessian
 *    without the POI; fixed parameters stay at their values);
 * 3. for each sample, the parameters of the full model L^SR that L^c does not have are fitted at
 *    μ = 0 with the sampled ones held fixed, and the main-measurement yields of L^SR are drawn:
 *    one Poisson pseudo-count per bin at λ(θ̃), as spey-pyhf's sampler does
 *    (`poissonFluctuations: true`, default), or λ(θ̃) itself (`false`: nuisance fluctuations
 *    only);
 * 4. background yields = the sample mean, covariance = the sample covariance (N − 1), third
 *    moments = the central third moments, effective-σ envelopes = the central 68.27% interval of the
 *    samples around the mean; the simplified model is `default.correlated_background`,
 *    `default.third_moment_expansion` or `default.effective_sigma` with the observed data and the
 *    signal yields of the samples the POI scales (`saveModel` writes it as a JSON model file).
 *
 * Differences from spey-pyhf, by design: the control model contains the control channels only, as
 * the documentation describes (spey-pyhf's code keeps every channel of the background-only model);
 * signal samples are the samples the POI acts on (not read off the patch), so a workspace that
 * already contains the signal works; sampling is seeded (`seed`, default 0) and reproducible.
 */
import { InvalidInput, NegativeExpectedYields } from "../../core/errors.js";
import { fitModel } from "../../fit/fit.js";
import { logWarning } from "../../core/logger.js";
import { backSubstitute, cholesky, subMatrix } from "../../math/linalg.js";
import { Random } from "../../math/random.js";
import { normCdf } from "../../math/special.js";
import { VERSION } from "../../core/version.js";
import { type BackendBase, ConverterBase } from "../../plugin/backend-base.js";
import { CorrelatedBackground } from "../simplified/correlated-background.js";
import { EffectiveSigma } from "../simplified/effective-sigma.js";
import { ThirdMomentExpansion } from "../simplified/third-moment-expansion.js";
import { HISTFACTORY_AUTHOR, HistFactoryBackend, PyhfBackend } from "./backend.js";
import type { HistFactoryModel } from "./model.js";
import { modifierSettingsOf } from "./modifier-settings.js";
import type { ChannelSpec, SampleSpec, WorkspaceSpec } from "./schema.js";
import { describeValue, isArray, isInteger, max, min, sqrt, stringify } from "../../core/describe.js";
import { zeros, copyOf } from "../../core/arrays.js";

/** Arguments of `pyhf.simplify` (spey-pyhf's, camelCased). */
export interface SimplifyArgs {
  /** A `pyhf` statistical model (or its backend). */
  readonly statisticalModel: { readonly backend: BackendBase } | HistFactoryBackend;
  /** "postfit" (default): fit the control model to the observed data; "prefit": to the background expectation. */
  readonly fittype?: "postfit" | "prefit";
  /** Target: "default.correlated_background" (default), "default.third_moment_expansion" or "default.effective_sigma" ("default_pdf.…" accepted). */
  readonly convertTo?: string;
  /** Number of nuisance-parameter samples (default 1000). */
  readonly numberOfSamples?: number;
  /** Control and validation channels, by index (workspace order) or name; default: names containing "CR" or "VR". */
  readonly controlRegionIndices?: readonly (number | string)[];
  /** Keep the signal samples' modifiers (at zero yield) in the control model and the sampling model (default false). */
  readonly includeModifiersInControlModel?: boolean;
  /** One Poisson pseudo-count per bin and sample, as spey-pyhf (default true); false: expected yields only. */
  readonly poissonFluctuations?: boolean;
  /** Seed of the sampling (default 0). */
  readonly seed?: number;
  /**
   * Path of a JSON model file to write (spey-pyhf's `save_model`, which writes an .npz): the
   * simplified model as `{ "backend": ..., ...arguments }`, readable by `spey cls FILE` and the
   * other commands. Needs Node.js; in a browser use the summary's `modelDescription`.
   */
  readonly saveModel?: string;
}

/** What the conversion estimated (also available on the returned backend as `simplification`). */
export interface SimplificationSummary {
  readonly channels: readonly string[];
  readonly backgroundYields: Float64Array;
  readonly covarianceMatrix: number[][];
  readonly thirdMoments: Float64Array;
  readonly data: Float64Array;
  readonly signalYields: Float64Array;
  readonly controlChannels: readonly string[];
  /** Samples drawn (including those rejected for negative yields). */
  readonly attempts: number;
  /** `default.effective_sigma`: per bin [up, down] = [q₈₄ − mean, mean − q₁₆] of the sampled yields. */
  readonly absoluteUncertaintyEnvelopes: [number, number][];
  /** The simplified model as a model file `{ backend, ...arguments }` (JSON-ready), what `saveModel` writes. */
  readonly modelDescription: Record<string, unknown>;
}

/** The `convertTo` targets, also under spey's older `default_pdf.` prefix (group 1: the name after it). */
const TARGETS = /^default(?:_pdf)?\.(correlated_background|third_moment_expansion|effective_sigma)$/;

/** spey-pyhf's guess of the channel kind: "CR", "VR" or "SR" if the upper-cased name contains it. */
export function guessChannelType(name: string): "CR" | "VR" | "SR" | "__unknown__" {
  const upper = name.toUpperCase();
  for (const tp of ["CR", "VR", "SR"] as const) if (upper.includes(tp)) return tp;
  return "__unknown__";
}

function backendOf(model: unknown): HistFactoryBackend {
  const backend = model instanceof HistFactoryBackend ? model : (model as { backend?: unknown })?.backend;
  if (!(backend instanceof HistFactoryBackend)) {
    throw new InvalidInput("pyhf.simplify: statisticalModel must be a `pyhf` statistical model (or its backend).");
  }
  return backend;
}

/** Which samples of each channel the POI acts on. */
function poiSamples(spec: WorkspaceSpec, poi: string): Set<string> {
  const out = new Set<string>();
  for (const c of spec.channels) {
    for (const s of c.samples) {
      if (s.modifiers.some((m) => m.name === poi)) out.add(`${c.name}\u0000${s.name}`);
    }
  }
  return out;
}

/**
 * The workspace used for sampling: signal samples keep only the POI (and luminosity) modifiers
 * unless `keepSignalModifiers`; with `zeroSignal` their yields are zero.
 */
function stripSignal(
  spec: WorkspaceSpec,
  poi: string,
  keepSignalModifiers: boolean,
  zeroSignal: boolean,
): WorkspaceSpec {
  const signal = poiSamples(spec, poi);
  return {
    ...spec,
    channels: spec.channels.map(
      (c): ChannelSpec => ({
        name: c.name,
        samples: c.samples.map((s): SampleSpec => {
          if (!signal.has(`${c.name}\u0000${s.name}`)) return s;
          return {
            name: s.name,
            data: zeroSignal ? s.data.map(() => 0) : [...s.data],
            modifiers: keepSignalModifiers
              ? s.modifiers
              : s.modifiers.filter((m) => m.name === poi || m.type === "lumi"),
          };
        }),
      }),
    ),
  };
}

/**
 * The control model's workspace: the control channels, signal yields set to zero, and a zero-yield
 * sample carrying the POI when no control channel has one (so that the measurement stays valid).
 */
function controlWorkspace(spec: WorkspaceSpec, poi: string, controls: readonly string[], keep: boolean): WorkspaceSpec {
  const stripped = stripSignal(spec, poi, keep, true);
  const channels = stripped.channels.filter((c) => controls.includes(c.name));
  if (!channels.some((c) => c.samples.some((s) => s.modifiers.some((m) => m.name === poi)))) {
    const first = channels[0] as ChannelSpec;
    const n = (first.samples[0] as SampleSpec).data.length;
    first.samples = [
      ...first.samples,
      {
        name: "__poi_placeholder__",
        data: new Array<number>(n).fill(0),
        modifiers: [{ name: poi, type: "normfactor", data: null }],
      },
    ];
  }
  return {
    ...stripped,
    channels,
    observations: stripped.observations.filter((o) => controls.includes(o.name)),
  };
}

/** Resolve `controlRegionIndices` (indices into the workspace's channels, or names) or guess them. */
function controlChannels(spec: WorkspaceSpec, indices: readonly (number | string)[] | undefined): string[] {
  const names = spec.channels.map((c) => c.name);
  if (indices === undefined || indices === null) {
    const guessed = names.filter((n) => ["CR", "VR"].includes(guessChannelType(n)));
    if (guessed.length === 0) {
      throw new InvalidInput(
        `pyhf.simplify: cannot construct the control model: no channel name contains "CR" or "VR" (channels: ${names.join(", ")}); pass controlRegionIndices.`,
      );
    }
    return guessed;
  }
  if (!isArray(indices))
    throw new InvalidInput("pyhf.simplify: controlRegionIndices must be an array of channel indices or names.");
  const out = indices.map((x) => {
    if (typeof x === "number") {
      if (!isInteger(x) || x < 0 || x >= names.length) {
        throw new InvalidInput(
          `pyhf.simplify: controlRegionIndices: no channel ${x} (the workspace has ${names.length}).`,
        );
      }
      return names[x] as string;
    }
    if (!names.includes(x))
      throw new InvalidInput(`pyhf.simplify: controlRegionIndices: no channel "${x}" (channels: ${names.join(", ")}).`);
    return x;
  });
  if (out.length === 0) throw new InvalidInput("pyhf.simplify: controlRegionIndices is empty.");
  if (out.length === names.length) {
    throw new InvalidInput(
      "pyhf.simplify: every channel is a control channel; at least one signal region must remain.",
    );
  }
  return [...new Set(out)];
}

function fitAtZero(
  backend: HistFactoryBackend,
  expected: "observed" | "apriori",
  extraFixed: ReadonlyMap<number, number> = new Map(),
  initPars?: Float64Array,
): Float64Array {
  const config = backend.config();
  const fixed = new Map(extraFixed);
  fixed.set(config.poiIndex, 0);
  const out = fitModel({ backend, config, expected, fixed, initPars });
  return out.parameters;
}

/**
 * Run the conversion (see the module documentation) and return the simplified backend together with
 * the estimated summary.
 */
export function simplifyHistFactory(args: SimplifyArgs): { backend: BackendBase; summary: SimplificationSummary } {
  if (!args || typeof args !== "object") throw new InvalidInput("pyhf.simplify: arguments must be an object.");
  const full = backendOf(args.statisticalModel);
  const fittype = args.fittype ?? "postfit";
  if (fittype !== "postfit" && fittype !== "prefit") {
    throw new InvalidInput(`pyhf.simplify: fittype must be "postfit" or "prefit"; got ${describeValue(fittype)}.`);
  }
  const expected = fittype === "postfit" ? "observed" : "apriori";
  const targetName = TARGETS.exec(args.convertTo ?? "default.correlated_background")?.[1];
  const target = targetName && `default.${targetName}`;
  if (!target) {
    throw new InvalidInput(
      `pyhf.simplify: convertTo must be "default.correlated_background", "default.third_moment_expansion" or "default.effective_sigma"; got ${describeValue(args.convertTo)}.`,
    );
  }
  const nSamples = args.numberOfSamples ?? 1000;
  if (!isInteger(nSamples) || nSamples < 2) {
    throw new InvalidInput(`pyhf.simplify: numberOfSamples must be an integer ≥ 2; got ${nSamples}.`);
  }
  const keep = args.includeModifiersInControlModel ?? false;
  const poissonFluctuations = args.poissonFluctuations ?? true;
  const spec = full.workspace.toJSON();
  const poi = full.model.poiName;
  const measurement = full.model.measurement;
  const settings = modifierSettingsOf(full.model.settings);
  const controls = controlChannels(spec, args.controlRegionIndices);

  // 1. Control model, fitted at μ = 0.
  const controlSpec = controlWorkspace(spec, poi, controls, keep);
  controlSpec.measurements = [measurement];
  const control = new PyhfBackend({ backgroundOnlyModel: controlSpec, signalPatch: [], modifierSettings: settings });
  const cModel = control.model;
  const theta = fitAtZero(control, expected);

  // 2. Covariance of the free nuisance parameters from the Hessian of −log L^c.
  const hessian = cModel.evaluator(controlData(control, expected)).nllHessian(theta);
  const free: number[] = [];
  for (let i = 0; i < cModel.nPar; i++) if (i !== cModel.poiIndex && !cModel.suggestedFixed[i]) free.push(i);
  const m = free.length;
  const lower = cholesky(subMatrix(hessian, cModel.nPar, free), m);
  if (!lower) {
    throw new InvalidInput(
      "pyhf.simplify: the Hessian of the control model is not positive definite at its best fit; the control channels do not constrain the nuisance parameters (check controlRegionIndices).",
    );
  }

  // 3. Sampling model: the full model with the signal's own modifiers removed.
  const samplingSpec = stripSignal(spec, poi, keep, false);
  samplingSpec.measurements = [measurement];
  const sampling = new PyhfBackend({ backgroundOnlyModel: samplingSpec, signalPatch: [], modifierSettings: settings });
  const sModel = sampling.model;
  const map = parameterMap(cModel, sModel);
  const mapped = new Set(map.values());
  const needsFit = sModel.parameterNames.some(
    (_, i) => i !== sModel.poiIndex && !sModel.suggestedFixed[i] && !mapped.has(i),
  );
  const nMain = sModel.nMain;
  const samples: Float64Array[] = [];
  const rng = new Random(args.seed ?? 0);
  const z = zeros(m);
  const pars = copyOf(sModel.suggestedInit);
  pars[sModel.poiIndex] = 0;
  let previous: Float64Array | undefined;
  let attempts = 0;
  const maxAttempts = 20 * nSamples;
  while (samples.length < nSamples && attempts < maxAttempts) {
    attempts++;
    for (let k = 0; k < m; k++) z[k] = rng.normal();
    backSubstitute(lower, m, z, z); // Lᵀ x = z gives x ~ N(0, (L Lᵀ)⁻¹)
    const sampled = copyOf(theta);
    for (let k = 0; k < m; k++) sampled[free[k] as number]! += z[k] as number;
    for (const [ci, si] of map) pars[si] = sampled[ci] as number;
    let at: Float64Array = pars;
    if (needsFit) {
      const fixed = new Map<number, number>();
      for (const [, si] of map) fixed.set(si, pars[si] as number);
      try {
        at = fitAtZero(sampling, expected, fixed, previous ?? pars);
        previous = at;
      } catch {
        continue;
      }
    }
    try {
      const lambda = sModel.expectedMain(at);
      if (poissonFluctuations) samples.push(sModel.sample(at, rng, false));
      else {
        if (!lambda.every((l) => l >= 0)) throw new NegativeExpectedYields("negative yield");
        samples.push(lambda);
      }
    } catch (error) {
      if (error instanceof NegativeExpectedYields) continue; // as spey-pyhf: skip samples with negative yields
      throw error;
    }
  }
  if (samples.length < nSamples) {
    throw new InvalidInput(
      `pyhf.simplify: only ${samples.length} of ${nSamples} nuisance-parameter samples gave non-negative yields in ${attempts} attempts.`,
    );
  }
  if (attempts > nSamples)
    logWarning(`pyhf.simplify: ${attempts - nSamples} sample(s) were rejected (negative expected yields).`);

  // 4. Moments.
  const n = samples.length;
  const mean = zeros(nMain);
  for (const s of samples) for (let b = 0; b < nMain; b++) mean[b]! += (s[b] as number) / n;
  const cov = Array.from({ length: nMain }, () => new Array<number>(nMain).fill(0));
  const third = zeros(nMain);
  for (const s of samples) {
    for (let a = 0; a < nMain; a++) {
      const da = (s[a] as number) - (mean[a] as number);
      third[a]! += (da * da * da) / n;
      const row = cov[a] as number[];
      for (let b = 0; b < nMain; b++) row[b]! += (da * ((s[b] as number) - (mean[b] as number))) / (n - 1);
    }
  }
  // Effective σ: the central 68.27% interval of the sampled yields, q = (1 − (Φ(1) − Φ(−1)))/2
  // (spey-pyhf's quantiles, numpy's linear interpolation), as distances from the mean.
  const q = (1 - (normCdf(1) - normCdf(-1))) / 2;
  const envelopes: [number, number][] = [];
  for (let b = 0; b < nMain; b++) {
    const sorted = samples.map((smp) => smp[b] as number).sort((x, y) => x - y);
    const mb = mean[b] as number;
    envelopes.push([max(quantile(sorted, 1 - q) - mb, 0), max(mb - quantile(sorted, q), 0)]);
  }
  const inputs: Record<string, unknown> = {
    signalYields: Array.from(full.model.poiSignal),
    backgroundYields: Array.from(mean),
    data: Array.from(full.model.observed),
    ...(target === "default.effective_sigma"
      ? { correlationMatrix: correlationOf(cov), absoluteUncertaintyEnvelops: envelopes }
      : { covarianceMatrix: cov }),
    ...(target === "default.third_moment_expansion" ? { thirdMoment: Array.from(third) } : {}),
  };
  const summary: SimplificationSummary = {
    channels: sModel.channels.map((c) => c.name),
    backgroundYields: mean,
    covarianceMatrix: cov,
    thirdMoments: third,
    data: copyOf(full.model.observed),
    signalYields: copyOf(full.model.poiSignal),
    controlChannels: controls,
    attempts,
    absoluteUncertaintyEnvelopes: envelopes,
    modelDescription: { backend: target, ...inputs },
  };
  // The registry's classes, constructed directly: importing the registry here would close an import
  // cycle (registry → builtins → this module → registry).
  const simplified =
    target === "default.third_moment_expansion"
      ? new ThirdMomentExpansion(inputs as unknown as ConstructorParameters<typeof ThirdMomentExpansion>[0])
      : target === "default.effective_sigma"
        ? new EffectiveSigma(inputs as unknown as ConstructorParameters<typeof EffectiveSigma>[0])
        : new CorrelatedBackground(inputs as unknown as ConstructorParameters<typeof CorrelatedBackground>[0]);
  if (args.saveModel !== undefined) writeModelFile(args.saveModel, summary.modelDescription);
  return { backend: simplified, summary };
}

/** Quantile of sorted values with linear interpolation between order statistics (numpy's default). */
function quantile(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const i = Math.floor(pos);
  const lo = sorted[i] as number;
  const hi = sorted[min(i + 1, sorted.length - 1)] as number;
  return lo + (pos - i) * (hi - lo);
}

function correlationOf(cov: readonly (readonly number[])[]): number[][] {
  const sd = cov.map((row, i) => sqrt(row[i] as number));
  return cov.map((row, i) => row.map((v, j) => (i === j ? 1 : v / ((sd[i] as number) * (sd[j] as number)))));
}

/**
 * Write a model file (JSON) with Node's file system, obtained at call time so that the library
 * keeps no static `node:` import (browser bundles); in a browser this is an error naming the fix.
 */
export function writeModelFile(path: string, description: Record<string, unknown>): void {
  if (typeof path !== "string" || path === "") {
    throw new InvalidInput(`saveModel must be a file path (e.g. "simplified.json"); got ${describeValue(path)}.`);
  }
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as { writeFileSync(p: string, text: string): void } | undefined;
  if (!fs) {
    throw new InvalidInput(
      "saveModel: writing files needs Node.js; in a browser take the summary's modelDescription and save it yourself.",
    );
  }
  fs.writeFileSync(path, `${stringify(description, null, 1)}\n`);
}

function controlData(control: HistFactoryBackend, expected: "observed" | "apriori") {
  return expected === "observed"
    ? { main: control.model.observed, aux: control.model.auxdata }
    : { main: control.backgroundData, aux: control.model.auxdata };
}

/** Parameters of `from` that `to` also has (same set name and size): index in `from` → index in `to`. */
function parameterMap(from: HistFactoryModel, to: HistFactoryModel): Map<number, number> {
  const out = new Map<number, number>();
  for (const set of from.parameterSets) {
    if (set.name === from.poiName) continue;
    const other = to.parameterSet(set.name);
    if (!other || other.n !== set.n) continue;
    for (let i = 0; i < set.n; i++) out.set(set.offset + i, other.offset + i);
  }
  return out;
}

/**
 * `pyhf.simplify` as a spey converter: `getBackend("pyhf.simplify")({statisticalModel, ...})`
 * returns the simplified model (see {@link simplifyHistFactory}).
 */
export class PyhfSimplify extends ConverterBase {
  static override name = "pyhf.simplify";
  static override version = VERSION;
  static override author = HISTFACTORY_AUTHOR;
  static override speyRequires = `>=${VERSION}`;

  convert(args: Record<string, unknown>): BackendBase {
    return simplifyHistFactory(args as unknown as SimplifyArgs).backend;
  }
}

/** The part of a statistical model {@link compareUpperLimits} uses. */
export interface UpperLimitModel {
  poiUpperLimit(options: { expected: "observed" | "aposteriori" | "apriori"; confidenceLevel: number }): number;
}

/** Observed or expected upper limits of a full and a simplified model, and their relative difference. */
export function compareUpperLimits(
  full: UpperLimitModel,
  simplified: UpperLimitModel,
  options: { expected?: "observed" | "aposteriori" | "apriori"; confidenceLevel?: number } = {},
): { full: number; simplified: number; relativeDifference: number } {
  const o = { expected: options.expected ?? "observed", confidenceLevel: options.confidenceLevel ?? 0.95 };
  const a = full.poiUpperLimit(o);
  const b = simplified.poiUpperLimit(o);
  return { full: a, simplified: b, relativeDifference: (b - a) / a };
}
