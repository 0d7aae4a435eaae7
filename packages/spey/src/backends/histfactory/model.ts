/**
 * A HistFactory probability model built from a pyhf workspace (CERN-OPEN-2012-016; pyhf docs
 * "HistFactory likelihood specification" and `pyhf.pdf.Model`):
 *
 *   L(θ) = Π_bins Pois(n_b | λ_b(θ)) · Π_constraints c(a_j | θ),
 *
 * main Poisson terms over the bins of every channel (channels ordered by name), Gaussian
 * constraints N(a | θ, σ) for normsys, histosys, staterror and lumi, and Poisson constraints
 * Pois(a | γτ) for shapesys. Parameters, bounds and auxiliary data are laid out as pyhf lays
 * them out (see `parameters.ts`), so vectors can be exchanged with pyhf.
 *
 * Everything that does not depend on the parameters is precomputed into flat typed arrays; an
 * evaluation walks the (sample, bin) cells once and allocates nothing.
 */
import { InvalidInput, NegativeExpectedYields } from "../../core/errors.js";
import type { RandomSource } from "../../math/random.js";
import { gammaln } from "../../math/special.js";
import { type JsonPath, WorkspaceError } from "./errors.js";
import { MODIFIERS } from "./modifiers/index.js";
import {
  DELTA_STRIDE,
  deltaValue,
  evaluateDelta,
  evaluateFactor,
  FACTOR_STRIDE,
  factorValue,
} from "./modifiers/terms.js";
import type { ChannelLayout, Occurrence, ResolvedModifierSettings, TermSink } from "./modifiers/types.js";
import { buildParameterSets, mergeRequirements, type ParameterSet, parameterNamesOf } from "./parameters.js";
import { MODIFIER_TYPES, type MeasurementSpec, type ModifierType, type WorkspaceSpec } from "./schema.js";
import { describeValue } from "../../core/describe.js";

/** Interpolation codes as pyhf's `modifier_settings` spells them. */
export interface ModifierSettings {
  readonly normsys?: { readonly interpcode?: "code1" | "code4" };
  readonly histosys?: { readonly interpcode?: "code0" | "code2" | "code4p" };
}

/** pyhf's (and spey-pyhf's) defaults: normsys code 4, histosys code 4p. */
export const PYHF_MODIFIER_SETTINGS: ResolvedModifierSettings = { normsys: "code4", histosys: "code4p" };

/** HistFactory's (and ROOT's) defaults, used by pyhf's ROOT validation: normsys code 1, histosys code 0. */
export const ROOT_MODIFIER_SETTINGS: ResolvedModifierSettings = { normsys: "code1", histosys: "code0" };

/** Check and complete `modifierSettings` (missing entries take `defaults`). */
export function resolveModifierSettings(
  input: unknown,
  defaults: ResolvedModifierSettings = PYHF_MODIFIER_SETTINGS,
): ResolvedModifierSettings {
  if (input === undefined || input === null) return defaults;
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new InvalidInput(
      `modifierSettings must be an object like {normsys: {interpcode: "code1"}, histosys: {interpcode: "code0"}}; got ${describeValue(input)}.`,
    );
  }
  const settings = input as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    if (key !== "normsys" && key !== "histosys") {
      throw new InvalidInput(`modifierSettings.${key}: only normsys and histosys have interpolation codes.`);
    }
  }
  const code = (key: "normsys" | "histosys", allowed: readonly string[]): string => {
    const entry = settings[key];
    if (entry === undefined) return defaults[key];
    if (typeof entry !== "object" || entry === null || !Object.hasOwn(entry, "interpcode")) {
      throw new InvalidInput(
        `modifierSettings.${key} must be {interpcode: ${allowed.map((a) => `"${a}"`).join(" | ")}}.`,
      );
    }
    const value = (entry as { interpcode: unknown }).interpcode;
    if (typeof value !== "string" || !allowed.includes(value)) {
      throw new InvalidInput(
        `modifierSettings.${key}.interpcode must be one of ${allowed.map((a) => `"${a}"`).join(", ")}; got ${describeValue(value)}.`,
      );
    }
    return value;
  };
  return {
    normsys: code("normsys", ["code1", "code4"]) as "code1" | "code4",
    histosys: code("histosys", ["code0", "code2", "code4p"]) as "code0" | "code2" | "code4p",
  };
}

/** The `modifierSettings` object of resolved interpolation codes. */
export function modifierSettingsOf(settings: ResolvedModifierSettings): ModifierSettings {
  return { normsys: { interpcode: settings.normsys }, histosys: { interpcode: settings.histosys } };
}

/** Python's `sorted` order of strings (by code point). */
function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const ca = Array.from(a, (c) => c.codePointAt(0) as number);
  const cb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return (ca[i] as number) - (cb[i] as number);
  }
  return ca.length - cb.length;
}

/** Growable term storage used while compiling a model. */
class TermCollector implements TermSink {
  readonly factors: { cell: number; parameter: number; kind: number; coefficients: number[] }[] = [];
  readonly deltas: { cell: number; parameter: number; kind: number; coefficients: number[] }[] = [];
  addFactor(cell: number, parameter: number, kind: number, coefficients: ArrayLike<number>): void {
    this.factors.push({ cell, parameter, kind, coefficients: Array.from(coefficients) });
  }
  addDelta(cell: number, parameter: number, kind: number, coefficients: ArrayLike<number>): void {
    this.deltas.push({ cell, parameter, kind, coefficients: Array.from(coefficients) });
  }
}

/** Pack terms into CSR arrays ordered by cell. */
function pack(
  terms: { cell: number; parameter: number; kind: number; coefficients: number[] }[],
  nCells: number,
  stride: number,
): { ptr: Int32Array; par: Int32Array; kind: Uint8Array; coef: Float64Array } {
  const sorted = terms.map((t, i) => ({ t, i })).sort((a, b) => a.t.cell - b.t.cell || a.i - b.i);
  const ptr = new Int32Array(nCells + 1);
  const par = new Int32Array(sorted.length);
  const kind = new Uint8Array(sorted.length);
  const coef = new Float64Array(sorted.length * stride);
  sorted.forEach(({ t }, j) => {
    ptr[t.cell + 1] = (ptr[t.cell + 1] as number) + 1;
    par[j] = t.parameter;
    kind[j] = t.kind;
    for (let c = 0; c < t.coefficients.length && c < stride; c++) coef[j * stride + c] = t.coefficients[c] as number;
  });
  for (let k = 0; k < nCells; k++) ptr[k + 1] = (ptr[k + 1] as number) + (ptr[k] as number);
  return { ptr, par, kind, coef };
}

/** The data a likelihood is evaluated on, with its parameter-independent constants. */
export interface ModelData {
  readonly main: Float64Array;
  readonly aux: Float64Array;
}

/** Where a model comes from, for error messages and for reporting. */
export interface ModelSource {
  readonly measurement: MeasurementSpec;
  /** JSON path of the measurement in its workspace (for error messages). */
  readonly measurementPath?: JsonPath;
  readonly settings?: ResolvedModifierSettings;
}

/**
 * The compiled model. Construct with {@link HistFactoryModel.build}. Parameter vectors are in
 * {@link parameterNames} order; data vectors are the main bins (channels by name) followed by the
 * auxiliary data in {@link auxiliaryOrder}.
 */
export class HistFactoryModel {
  readonly channels: readonly ChannelLayout[];
  readonly parameterSets: readonly ParameterSet[];
  readonly parameterNames: readonly string[];
  readonly poiName: string;
  readonly poiIndex: number;
  readonly measurement: MeasurementSpec;
  readonly settings: ResolvedModifierSettings;
  readonly nPar: number;
  readonly nMain: number;
  readonly nAux: number;
  readonly suggestedInit: readonly number[];
  readonly suggestedBounds: readonly (readonly [number, number])[];
  readonly suggestedFixed: readonly boolean[];
  /** Nominal auxiliary data. */
  readonly auxdata: Float64Array;
  /** Names of the constrained parameter sets in auxiliary-data order (pyhf 0.7: parameter order). */
  readonly auxiliaryOrder: readonly string[];
  /** Observed main data (channels by name), from the workspace's observations. */
  readonly observed: Float64Array;
  /** Per main bin: nominal yield of the samples the POI acts on, and of the others. */
  readonly poiSignal: Float64Array;
  readonly poiBackground: Float64Array;

  // --- kernel -------------------------------------------------------------------------------
  private readonly nCells: number;
  private readonly cellBin: Int32Array;
  private readonly cellNom: Float64Array;
  private readonly fPtr: Int32Array;
  private readonly fPar: Int32Array;
  private readonly fKind: Uint8Array;
  private readonly fCoef: Float64Array;
  private readonly dPtr: Int32Array;
  private readonly dPar: Int32Array;
  private readonly dKind: Uint8Array;
  private readonly dCoef: Float64Array;
  /** Cells of each main bin (CSR). */
  private readonly binPtr: Int32Array;
  private readonly binCells: Int32Array;
  /** Per auxiliary datum: parameter index, constraint (0 normal, 1 Poisson), σ or τ. */
  private readonly auxPar: Int32Array;
  private readonly auxPoisson: Uint8Array;
  private readonly auxScale: Float64Array;
  private readonly maxFactorsPerCell: number;

  private constructor(init: {
    channels: ChannelLayout[];
    sets: ParameterSet[];
    poiName: string;
    poiIndex: number;
    measurement: MeasurementSpec;
    settings: ResolvedModifierSettings;
    observed: Float64Array;
    cellBin: Int32Array;
    cellNom: Float64Array;
    factors: ReturnType<typeof pack>;
    deltas: ReturnType<typeof pack>;
  }) {
    this.channels = init.channels;
    this.parameterSets = init.sets;
    this.parameterNames = parameterNamesOf(init.sets);
    this.poiName = init.poiName;
    this.poiIndex = init.poiIndex;
    this.measurement = init.measurement;
    this.settings = init.settings;
    this.nPar = this.parameterNames.length;
    this.nMain = init.channels.reduce((s, c) => s + c.nbins, 0);
    this.suggestedInit = init.sets.flatMap((s) => s.inits);
    this.suggestedBounds = init.sets.flatMap((s) => s.bounds);
    this.suggestedFixed = init.sets.flatMap((s) => s.fixed);
    this.observed = init.observed;
    this.cellBin = init.cellBin;
    this.cellNom = init.cellNom;
    this.nCells = init.cellBin.length;
    this.fPtr = init.factors.ptr;
    this.fPar = init.factors.par;
    this.fKind = init.factors.kind;
    this.fCoef = init.factors.coef;
    this.dPtr = init.deltas.ptr;
    this.dPar = init.deltas.par;
    this.dKind = init.deltas.kind;
    this.dCoef = init.deltas.coef;
    let maxFactors = 0;
    for (let k = 0; k < this.nCells; k++)
      maxFactors = Math.max(maxFactors, (this.fPtr[k + 1] as number) - (this.fPtr[k] as number));
    this.maxFactorsPerCell = maxFactors;

    // Cells grouped by main bin.
    this.binPtr = new Int32Array(this.nMain + 1);
    for (let k = 0; k < this.nCells; k++) this.binPtr[(this.cellBin[k] as number) + 1]! += 1;
    for (let b = 0; b < this.nMain; b++) this.binPtr[b + 1]! += this.binPtr[b] as number;
    this.binCells = new Int32Array(this.nCells);
    const fill = this.binPtr.slice(0, this.nMain);
    for (let k = 0; k < this.nCells; k++) this.binCells[fill[this.cellBin[k] as number]!++] = k;

    // Auxiliary data: the constrained sets in parameter order — pyhf 0.7's `auxdata_order`, built by
    // `_create_parameters_from_spec` (src/pyhf/pdf.py) while it walks the parameter sets in
    // `par_order`. (pyhf < 0.6 sorted them by name; 0.7.6, which spey-pyhf pins, does not.)
    const constrained = init.sets.filter((s) => s.constraint !== "none");
    this.auxiliaryOrder = constrained.map((s) => s.name);
    this.nAux = constrained.reduce((sum, s) => sum + s.n, 0);
    this.auxdata = new Float64Array(this.nAux);
    this.auxPar = new Int32Array(this.nAux);
    this.auxPoisson = new Uint8Array(this.nAux);
    this.auxScale = new Float64Array(this.nAux);
    let j = 0;
    for (const set of constrained) {
      for (let i = 0; i < set.n; i++, j++) {
        this.auxdata[j] = set.auxdata[i] as number;
        this.auxPar[j] = set.offset + i;
        this.auxPoisson[j] = set.constraint === "poisson" ? 1 : 0;
        this.auxScale[j] = (set.constraint === "poisson" ? set.factors[i] : set.sigmas[i]) as number;
      }
    }

    // Signal (samples the POI acts on) and background nominal yields per bin.
    this.poiSignal = new Float64Array(this.nMain);
    this.poiBackground = new Float64Array(this.nMain);
    for (let k = 0; k < this.nCells; k++) {
      let onPoi = false;
      for (let t = this.fPtr[k] as number; t < (this.fPtr[k + 1] as number); t++)
        if (this.fPar[t] === this.poiIndex) onPoi = true;
      for (let t = this.dPtr[k] as number; t < (this.dPtr[k + 1] as number); t++)
        if (this.dPar[t] === this.poiIndex) onPoi = true;
      const target = onPoi ? this.poiSignal : this.poiBackground;
      target[this.cellBin[k] as number]! += this.cellNom[k] as number;
    }
  }

  /**
   * Compile the model of `workspace` for one of its measurements (pyhf's `Workspace.model`).
   * `measurement` is the measurement object (default: the first of the workspace).
   */
  static build(workspace: WorkspaceSpec, source: ModelSource): HistFactoryModel {
    const measurement = source.measurement;
    const measurementPath: JsonPath = source.measurementPath ?? ["measurements", 0];
    const settings = source.settings ?? PYHF_MODIFIER_SETTINGS;

    // Channels by name, as pyhf's _ChannelSummaryMixin.
    const indexed = workspace.channels.map((channel, index) => ({ channel, index }));
    indexed.sort((a, b) => byCodePoint(a.channel.name, b.channel.name));
    const channels: ChannelLayout[] = [];
    let offset = 0;
    for (const [i, { channel }] of indexed.entries()) {
      const nbins = (channel.samples[0] as { data: number[] }).data.length;
      channels.push({ name: channel.name, index: i, nbins, offset });
      offset += nbins;
    }

    // Cells: channel (model order) → sample (workspace order) → bin.
    const cellBin: number[] = [];
    const cellNom: number[] = [];
    const occurrences = new Map<ModifierType, Occurrence[]>(MODIFIER_TYPES.map((t) => [t, []]));
    for (const [i, { channel, index: ci }] of indexed.entries()) {
      const layout = channels[i] as ChannelLayout;
      const firstCells = new Map<string, number>();
      channel.samples.forEach((sample) => {
        firstCells.set(sample.name, cellBin.length);
        for (let b = 0; b < layout.nbins; b++) {
          cellBin.push(layout.offset + b);
          cellNom.push(sample.data[b] as number);
        }
      });
      // pyhf's traversal for parameter ordering: samples by name, modifiers by (name, type).
      const samples = channel.samples
        .map((sample, si) => ({ sample, si }))
        .sort((a, b) => byCodePoint(a.sample.name, b.sample.name));
      for (const { sample, si } of samples) {
        const modifiers = sample.modifiers
          .map((modifier, mi) => ({ modifier, mi }))
          .sort(
            (a, b) => byCodePoint(a.modifier.name, b.modifier.name) || byCodePoint(a.modifier.type, b.modifier.type),
          );
        for (const { modifier, mi } of modifiers) {
          (occurrences.get(modifier.type) as Occurrence[]).push({
            channel: layout,
            sample,
            firstCell: firstCells.get(sample.name) as number,
            modifier,
            path: ["channels", ci, "samples", si, "modifiers", mi],
          });
        }
      }
    }

    const merged = mergeRequirements(
      MODIFIER_TYPES.map((t) => MODIFIERS[t].requirements(occurrences.get(t) as Occurrence[])),
    );
    const sets = buildParameterSets(merged, measurement, measurementPath);
    const poiName = measurement.config.poi;
    const poiSet = sets.find((s) => s.name === poiName);
    if (!poiSet) {
      throw new WorkspaceError(
        [...measurementPath, "config", "poi"],
        `the parameter of interest "${poiName}" is not a parameter of the model (no modifier named "${poiName}"); parameters: ${sets.map((s) => s.name).join(", ")}.`,
      );
    }
    if (poiSet.n !== 1) {
      throw new WorkspaceError(
        [...measurementPath, "config", "poi"],
        `the parameter of interest "${poiName}" has ${poiSet.n} components; it must be a single parameter (e.g. a normfactor).`,
      );
    }

    const offsets = new Map(sets.map((s) => [s.name, s.offset]));
    const collector = new TermCollector();
    for (const type of MODIFIER_TYPES) {
      MODIFIERS[type].emit(
        occurrences.get(type) as Occurrence[],
        { settings, offset: (name) => offsets.get(name) as number },
        collector,
      );
    }

    // Observed data, channels in model order.
    const observed = new Float64Array(offset);
    for (const layout of channels) {
      const o = workspace.observations.findIndex((x) => x.name === layout.name);
      if (o < 0) {
        throw new WorkspaceError(["observations"], `there is no observation for channel "${layout.name}".`);
      }
      const data = (workspace.observations[o] as { data: number[] }).data;
      if (data.length !== layout.nbins) {
        throw new WorkspaceError(
          ["observations", o, "data"],
          `has ${data.length} bins but channel "${layout.name}" has ${layout.nbins}.`,
        );
      }
      data.forEach((n, j) => {
        // Observed counts of a Poisson likelihood: a negative one has no probability at all.
        if (n < 0) {
          throw new WorkspaceError(
            ["observations", o, "data", j],
            `is ${n}: the observed count of bin ${j} of channel "${layout.name}" cannot be negative.`,
          );
        }
      });
      observed.set(data, layout.offset);
    }

    return new HistFactoryModel({
      channels,
      sets,
      poiName,
      poiIndex: poiSet.offset,
      measurement,
      settings,
      observed,
      cellBin: Int32Array.from(cellBin),
      cellNom: Float64Array.from(cellNom),
      factors: pack(collector.factors, cellBin.length, FACTOR_STRIDE),
      deltas: pack(collector.deltas, cellBin.length, DELTA_STRIDE),
    });
  }

  /** The parameter set called `name`. */
  parameterSet(name: string): ParameterSet | undefined {
    return this.parameterSets.find((s) => s.name === name);
  }

  private checkPars(pars: ArrayLike<number>): void {
    if (pars.length !== this.nPar) {
      throw new InvalidInput(
        `the model has ${this.nPar} parameters (${this.parameterNames.join(", ")}); got ${pars.length} values.`,
      );
    }
  }

  /** Expected main-measurement yields λ(θ), channels by name. */
  expectedMain(pars: ArrayLike<number>, out: Float64Array = new Float64Array(this.nMain)): Float64Array {
    this.checkPars(pars);
    out.fill(0);
    const { fPtr, fPar, fKind, fCoef, dPtr, dPar, dKind, dCoef, cellNom, cellBin } = this;
    for (let k = 0; k < this.nCells; k++) {
      let base = cellNom[k] as number;
      for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
        base += deltaValue(dKind[t] as number, dCoef, t, pars[dPar[t] as number] as number);
      }
      let product = 1;
      for (let t = fPtr[k] as number; t < (fPtr[k + 1] as number); t++) {
        product *= factorValue(fKind[t] as number, fCoef, t, pars[fPar[t] as number] as number);
      }
      out[cellBin[k] as number]! += base * product;
    }
    return out;
  }

  /** Expected auxiliary data: θ for Gaussian constraints, γτ for Poisson constraints. */
  expectedAux(pars: ArrayLike<number>, out: Float64Array = new Float64Array(this.nAux)): Float64Array {
    this.checkPars(pars);
    for (let j = 0; j < this.nAux; j++) {
      const x = pars[this.auxPar[j] as number] as number;
      out[j] = this.auxPoisson[j] ? x * (this.auxScale[j] as number) : x;
    }
    return out;
  }

  /** Main expected yields followed by the expected auxiliary data (pyhf's `expected_data`). */
  expectedData(pars: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.nMain + this.nAux);
    this.expectedMain(pars, out.subarray(0, this.nMain));
    this.expectedAux(pars, out.subarray(this.nMain));
    return out;
  }

  /**
   * One pseudo-experiment at `pars`: Poisson main counts, then auxiliary data drawn from the
   * constraints (Gaussian N(θ, σ), Poisson Pois(γτ)), as pyhf's `make_pdf(pars).sample()`.
   */
  sample(pars: ArrayLike<number>, rng: RandomSource, includeAuxiliary = true): Float64Array {
    const lambda = this.expectedMain(pars);
    const out = new Float64Array(this.nMain + (includeAuxiliary ? this.nAux : 0));
    for (let b = 0; b < this.nMain; b++) {
      const l = lambda[b] as number;
      if (!(l >= 0)) {
        throw new NegativeExpectedYields(
          `cannot sample: the expected yield of bin ${b} is ${l} at the given parameters (a Poisson mean must be ≥ 0).`,
        );
      }
      out[b] = rng.poisson(l);
    }
    if (includeAuxiliary) {
      for (let j = 0; j < this.nAux; j++) {
        const x = pars[this.auxPar[j] as number] as number;
        const scale = this.auxScale[j] as number;
        out[this.nMain + j] = this.auxPoisson[j] ? rng.poisson(Math.max(x * scale, 0)) : x + scale * rng.normal();
      }
    }
    return out;
  }

  /**
   * Split `data` (main counts, optionally followed by auxiliary data) into main and auxiliary parts;
   * missing auxiliary data are the nominal ones.
   */
  splitData(data: ArrayLike<number>): ModelData {
    if (data.length !== this.nMain && data.length !== this.nMain + this.nAux) {
      throw new InvalidInput(
        `data has ${data.length} entries; expected ${this.nMain} (main counts) or ${this.nMain + this.nAux} (main counts followed by ${this.nAux} auxiliary values).`,
      );
    }
    const all = Float64Array.from(data);
    for (let i = 0; i < all.length; i++) {
      if (!Number.isFinite(all[i])) throw new InvalidInput(`data[${i}] must be finite; got ${all[i]}.`);
    }
    return {
      main: all.subarray(0, this.nMain),
      aux: data.length > this.nMain ? all.subarray(this.nMain) : Float64Array.from(this.auxdata),
    };
  }

  /** An evaluator of log L, −log L with its gradient, and the Hessian, on fixed data. */
  evaluator(data: ModelData): LikelihoodEvaluator {
    return new LikelihoodEvaluator(this, data);
  }

  /** @internal kernel access for {@link LikelihoodEvaluator}. */
  get kernel() {
    return {
      nCells: this.nCells,
      cellBin: this.cellBin,
      cellNom: this.cellNom,
      fPtr: this.fPtr,
      fPar: this.fPar,
      fKind: this.fKind,
      fCoef: this.fCoef,
      dPtr: this.dPtr,
      dPar: this.dPar,
      dKind: this.dKind,
      dCoef: this.dCoef,
      binPtr: this.binPtr,
      binCells: this.binCells,
      auxPar: this.auxPar,
      auxPoisson: this.auxPoisson,
      auxScale: this.auxScale,
      maxFactorsPerCell: this.maxFactorsPerCell,
    };
  }
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * λ − n − n ln(λ/n) (λ for n = 0): the part of −log Pois(n | λ) that depends on λ, shifted by a
 * constant so that it vanishes at λ = n; written as n (x − log1p x) with x = (λ − n)/n to keep its
 * absolute rounding error at ε |λ − n|. NaN for λ < 0 < n, +∞ for λ = 0 < n.
 */
function poissonDeviance(n: number, lambda: number): number {
  if (n === 0) return lambda;
  const x = (lambda - n) / n;
  return n * (x - Math.log1p(x));
}

/**
 * log L, its gradient and its Hessian on fixed data. Scratch buffers are allocated once per
 * evaluator; the data-only constants (log n!, Gaussian normalisations) are summed once.
 *
 * With c_k = B_k P_k the contribution of cell k (B = ν⁰ + Σ Δ, P = Π F), w_b = 1 − n_b/λ_b:
 *   ∂NLL/∂θ_p = Σ_k w_{b(k)} ∂c_k/∂θ_p + constraint terms,
 *   ∂²NLL/∂θ_p∂θ_q = Σ_b (n_b/λ_b²) ∂λ_b/∂θ_p ∂λ_b/∂θ_q + Σ_k w_{b(k)} ∂²c_k/∂θ_p∂θ_q + constraint terms,
 * where the cell derivatives follow from the product rule over its terms.
 */
export class LikelihoodEvaluator {
  private readonly model: HistFactoryModel;
  private readonly k: HistFactoryModel["kernel"];
  readonly main: Float64Array;
  readonly aux: Float64Array;
  /** Σ log n_b! + Σ_Poisson-aux log a! + Σ_Gauss-aux log(√(2π) σ). */
  private readonly constant: number;
  private readonly lambda: Float64Array;
  private readonly cellB: Float64Array;
  private readonly cellP: Float64Array;
  private readonly cellZeros: Int32Array;
  private readonly fv: Float64Array;
  private readonly dv: Float64Array;
  private readonly others: Float64Array;
  private readonly w: Float64Array;
  private readonly jrow: Float64Array;
  private readonly touched: Int32Array;
  private readonly mark: Uint8Array;

  constructor(model: HistFactoryModel, data: ModelData) {
    this.model = model;
    this.k = model.kernel;
    if (data.main.length !== model.nMain || data.aux.length !== model.nAux) {
      throw new InvalidInput(`data must have ${model.nMain} main and ${model.nAux} auxiliary entries.`);
    }
    this.main = data.main;
    this.aux = data.aux;
    // log L = −(constant + Σ deviance terms): each Poisson term is split as
    // λ − n ln λ + ln n! = [λ − n − n ln(λ/n)] + [n − n ln n + ln n!], so that the varying part is
    // small near the optimum and free of the cancellation between λ, n ln λ and ln n! (which would
    // otherwise leave rounding noise of ~1e-11 on NLLs of a few hundred and stall the line search).
    let constant = 0;
    const poissonConstant = (n: number) => (n > 0 ? n - n * Math.log(n) : 0) + gammaln(n + 1);
    for (let b = 0; b < model.nMain; b++) constant += poissonConstant(data.main[b] as number);
    for (let j = 0; j < model.nAux; j++) {
      constant += this.k.auxPoisson[j]
        ? poissonConstant(data.aux[j] as number)
        : Math.log(this.k.auxScale[j] as number) + HALF_LOG_2PI;
    }
    this.constant = constant;
    const nTermsF = this.k.fPar.length;
    const nTermsD = this.k.dPar.length;
    this.lambda = new Float64Array(model.nMain);
    this.cellB = new Float64Array(this.k.nCells);
    this.cellP = new Float64Array(this.k.nCells);
    this.cellZeros = new Int32Array(this.k.nCells);
    this.fv = new Float64Array(3 * nTermsF);
    this.dv = new Float64Array(3 * nTermsD);
    this.others = new Float64Array(Math.max(1, this.k.maxFactorsPerCell));
    this.w = new Float64Array(model.nMain);
    this.jrow = new Float64Array(model.nPar);
    this.touched = new Int32Array(model.nPar);
    this.mark = new Uint8Array(model.nPar);
  }

  /** log L(pars), all constants included (pyhf's `logpdf`). */
  logpdf(pars: ArrayLike<number>): number {
    const lambda = this.model.expectedMain(pars, this.lambda);
    return -this.nllFromLambda(pars, lambda);
  }

  private nllFromLambda(pars: ArrayLike<number>, lambda: Float64Array): number {
    const main = this.main;
    let variable = 0;
    for (let b = 0; b < lambda.length; b++) variable += poissonDeviance(main[b] as number, lambda[b] as number);
    const { auxPar, auxPoisson, auxScale } = this.k;
    const aux = this.aux;
    for (let j = 0; j < aux.length; j++) {
      const x = pars[auxPar[j] as number] as number;
      const a = aux[j] as number;
      if (auxPoisson[j]) {
        variable += poissonDeviance(a, x * (auxScale[j] as number));
      } else {
        const z = (a - x) / (auxScale[j] as number);
        variable += 0.5 * z * z;
      }
    }
    return this.constant + variable;
  }

  /** Evaluate every term with its derivatives; fills λ, B_k, P_k and the zero-factor counts. */
  private evaluateTerms(pars: ArrayLike<number>): void {
    const { nCells, cellBin, cellNom, fPtr, fPar, fKind, fCoef, dPtr, dPar, dKind, dCoef } = this.k;
    const { lambda, cellB, cellP, cellZeros, fv, dv } = this;
    lambda.fill(0);
    for (let k = 0; k < nCells; k++) {
      let base = cellNom[k] as number;
      for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
        evaluateDelta(dKind[t] as number, dCoef, t, pars[dPar[t] as number] as number, dv, 3 * t);
        base += dv[3 * t] as number;
      }
      let product = 1;
      let zeros = 0;
      for (let t = fPtr[k] as number; t < (fPtr[k + 1] as number); t++) {
        evaluateFactor(fKind[t] as number, fCoef, t, pars[fPar[t] as number] as number, fv, 3 * t);
        const f = fv[3 * t] as number;
        if (f === 0) zeros++;
        product *= f;
      }
      cellB[k] = base;
      cellP[k] = product;
      cellZeros[k] = zeros;
      lambda[cellBin[k] as number]! += base * product;
    }
  }

  /** Π_{u ≠ t} F_u over the factors of cell k, for each of its factors, into `others`. */
  private productsOfOthers(k: number): void {
    const { fPtr } = this.k;
    const start = fPtr[k] as number;
    const m = (fPtr[k + 1] as number) - start;
    const { fv, others } = this;
    const zeros = this.cellZeros[k] as number;
    if (zeros === 0) {
      const p = this.cellP[k] as number;
      for (let i = 0; i < m; i++) others[i] = p / (fv[3 * (start + i)] as number);
      return;
    }
    for (let i = 0; i < m; i++) {
      if (zeros > 1 || fv[3 * (start + i)] !== 0) {
        others[i] = 0;
        continue;
      }
      let prod = 1;
      for (let u = 0; u < m; u++) if (u !== i) prod *= fv[3 * (start + u)] as number;
      others[i] = prod;
    }
  }

  /** Π_{u ≠ t, s} F_u over the factors of cell k (factor indices relative to the cell). */
  private productOfOthers2(k: number, t: number, s: number): number {
    const start = this.k.fPtr[k] as number;
    const fv = this.fv;
    if (this.cellZeros[k] === 0) {
      return (this.cellP[k] as number) / ((fv[3 * (start + t)] as number) * (fv[3 * (start + s)] as number));
    }
    const m = (this.k.fPtr[k + 1] as number) - start;
    let prod = 1;
    for (let u = 0; u < m; u++) if (u !== t && u !== s) prod *= fv[3 * (start + u)] as number;
    return prod;
  }

  /** −log L(pars); with `grad`, also ∂(−log L)/∂pars written into it. */
  nll(pars: ArrayLike<number>, grad?: Float64Array): number {
    if (!grad) {
      const lambda = this.model.expectedMain(pars, this.lambda);
      return this.nllFromLambda(pars, lambda);
    }
    this.evaluateTerms(pars);
    const value = this.nllFromLambda(pars, this.lambda);
    grad.fill(0);
    const { auxPar, auxPoisson, auxScale } = this.k;
    const { lambda, main, w } = this;
    for (let b = 0; b < w.length; b++) {
      const n = main[b] as number;
      w[b] = n === 0 ? 1 : 1 - n / (lambda[b] as number);
    }
    this.accumulateJacobianTransposed(w, grad);
    const aux = this.aux;
    for (let j = 0; j < aux.length; j++) {
      const i = auxPar[j] as number;
      const x = pars[i] as number;
      const a = aux[j] as number;
      const s = auxScale[j] as number;
      grad[i]! += auxPoisson[j] ? s - (a === 0 ? 0 : a / x) : (x - a) / (s * s);
    }
    return value;
  }

  /** grad += Σ_b w_b ∂λ_b/∂θ, from the terms evaluated by {@link evaluateTerms}. */
  private accumulateJacobianTransposed(w: Float64Array, grad: Float64Array): void {
    const { nCells, cellBin, fPtr, fPar, dPtr, dPar } = this.k;
    const { cellB, cellP, fv, dv, others } = this;
    for (let k = 0; k < nCells; k++) {
      const wk = w[cellBin[k] as number] as number;
      if (wk === 0) continue;
      const p = cellP[k] as number;
      for (let t = dPtr[k] as number; t < (dPtr[k + 1] as number); t++) {
        grad[dPar[t] as number]! += wk * p * (dv[3 * t + 1] as number);
      }
      const start = fPtr[k] as number;
      const end = fPtr[k + 1] as number;
      if (end === start) continue;
      this.productsOfOthers(k);
      const wb = wk * (cellB[k] as number);
      for (let t = start; t < end; t++) {
        grad[fPar[t] as number]! += wb * (fv[3 * t + 1] as number) * (others[t - start] as number);
      }
    }
  }

  /**
   * Infeasibility of `pars` for the main data: Σ over bins with n_b > 0 of min(λ_b − ε_b, 0)², with
   * ε_b = 1e-9 · max(1, n_b); zero exactly when every such bin has a positive expectation (so that
   * log L is finite). With `grad`, its gradient is written into it.
   */
  infeasibility(pars: ArrayLike<number>, grad?: Float64Array): number {
    this.evaluateTerms(pars);
    const { lambda, main, w } = this;
    let value = 0;
    for (let b = 0; b < lambda.length; b++) {
      const n = main[b] as number;
      const gap = n > 0 ? Math.min((lambda[b] as number) - 1e-9 * Math.max(1, n), 0) : 0;
      value += gap * gap;
      w[b] = 2 * gap;
    }
    if (grad) {
      grad.fill(0);
      this.accumulateJacobianTransposed(w, grad);
    }
    return value;
  }

  /**
   * Hessian of −log L at `pars`, row-major nPar × nPar. With `expected`, the expected (Fisher)
   * information instead: the data replaced by their expectation at `pars`, i.e.
   * Σ_b ∂λ_b∂λ_bᵀ/λ_b + Σ_Gauss 1/σ² + Σ_Poisson τ/γ — positive semi-definite everywhere.
   */
  nllHessian(
    pars: ArrayLike<number>,
    out: Float64Array = new Float64Array(this.model.nPar * this.model.nPar),
    expected = false,
  ): Float64Array {
    const P = this.model.nPar;
    out.fill(0);
    this.evaluateTerms(pars);
    const { fPtr, fPar, dPtr, dPar, binPtr, binCells, auxPar, auxPoisson, auxScale } = this.k;
    const { lambda, main, cellB, cellP, fv, dv, others, jrow, touched, mark } = this;
    for (let b = 0; b < lambda.length; b++) {
      const n = main[b] as number;
      const l = lambda[b] as number;
      const wb = expected ? 0 : n === 0 ? 1 : 1 - n / l;
      const curvature = expected ? (l > 0 ? 1 / l : 0) : n === 0 ? 0 : n / (l * l);
      let nTouched = 0;
      for (let c = binPtr[b] as number; c < (binPtr[b + 1] as number); c++) {
        const k = binCells[c] as number;
        const base = cellB[k] as number;
        const prod = cellP[k] as number;
        const fs = fPtr[k] as number;
        const fe = fPtr[k + 1] as number;
        const ds = dPtr[k] as number;
        const de = dPtr[k + 1] as number;
        if (fe > fs) this.productsOfOthers(k);
        // First derivatives of the cell into the bin's Jacobian row.
        for (let t = ds; t < de; t++) {
          const p = dPar[t] as number;
          if (!mark[p]) {
            mark[p] = 1;
            touched[nTouched++] = p;
          }
          jrow[p]! += prod * (dv[3 * t + 1] as number);
        }
        for (let t = fs; t < fe; t++) {
          const p = fPar[t] as number;
          if (!mark[p]) {
            mark[p] = 1;
            touched[nTouched++] = p;
          }
          jrow[p]! += base * (fv[3 * t + 1] as number) * (others[t - fs] as number);
        }
        if (wb === 0) continue;
        // Second derivatives of the cell, weighted by w_b.
        for (let t = ds; t < de; t++) {
          const p = dPar[t] as number;
          const d2 = dv[3 * t + 2] as number;
          if (d2 !== 0) out[p * P + p]! += 2 * wb * d2 * prod; // diagonal: counted twice, halved at the end
          const d1 = dv[3 * t + 1] as number;
          if (d1 === 0) continue;
          for (let u = fs; u < fe; u++) {
            const q = fPar[u] as number;
            // Off-diagonal terms go into one triangle only (the two are summed at the end), diagonal
            // ones twice (the diagonal is halved at the end).
            out[p * P + q]! += wb * d1 * (fv[3 * u + 1] as number) * (others[u - fs] as number) * (p === q ? 4 : 1);
          }
        }
        for (let t = fs; t < fe; t++) {
          const p = fPar[t] as number;
          const f2 = fv[3 * t + 2] as number;
          if (f2 !== 0) out[p * P + p]! += 2 * wb * base * f2 * (others[t - fs] as number);
          const f1 = fv[3 * t + 1] as number;
          if (f1 === 0) continue;
          for (let u = t + 1; u < fe; u++) {
            const g1 = fv[3 * u + 1] as number;
            if (g1 === 0) continue;
            const q = fPar[u] as number;
            out[p * P + q]! += wb * base * f1 * g1 * this.productOfOthers2(k, t - fs, u - fs) * (p === q ? 4 : 1);
          }
        }
      }
      // Poisson curvature n/λ² ∂λ∂λᵀ on the touched parameters: each pair once (one triangle; the
      // diagonal counts twice since the two triangles are summed at the end).
      for (let x = 0; x < nTouched; x++) {
        const p = touched[x] as number;
        const jp = curvature * (jrow[p] as number);
        if (jp !== 0) {
          const row = p * P;
          for (let y = 0; y < x; y++) {
            const q = touched[y] as number;
            out[row + q]! += jp * (jrow[q] as number);
          }
          out[row + p]! += 2 * jp * (jrow[p] as number);
        }
      }
      for (let x = 0; x < nTouched; x++) {
        const p = touched[x] as number;
        jrow[p] = 0;
        mark[p] = 0;
      }
    }
    // Every term so far went into one triangle (diagonal terms twice): sum the two triangles,
    // which also makes the matrix exactly symmetric.
    for (let p = 0; p < P; p++) {
      out[p * P + p] = 0.5 * (out[p * P + p] as number);
      for (let q = p + 1; q < P; q++) {
        const v = (out[p * P + q] as number) + (out[q * P + p] as number);
        out[p * P + q] = v;
        out[q * P + p] = v;
      }
    }
    const aux = this.aux;
    for (let j = 0; j < aux.length; j++) {
      const i = auxPar[j] as number;
      const s = auxScale[j] as number;
      if (auxPoisson[j]) {
        const x = pars[i] as number;
        out[i * P + i]! += expected ? s / x : (aux[j] as number) / (x * x);
      } else {
        out[i * P + i]! += 1 / (s * s);
      }
    }
    return out;
  }
}
