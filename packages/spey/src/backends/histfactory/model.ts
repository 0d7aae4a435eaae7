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
 * evaluation walks the (sample, bin) cells once and allocates nothing. This file builds the model
 * and computes expected yields; `evaluator.ts` evaluates the likelihood and its derivatives,
 * `modifier-settings.ts` checks interpolation codes.
 */
import { InvalidInput, NegativeExpectedYields } from "../../core/errors.js";
import { finiteEntries } from "../inputs.js";
import type { RandomSource } from "../../math/random.js";
import { type JsonPath, WorkspaceError } from "./errors.js";
import { LikelihoodEvaluator, type ModelData } from "./evaluator.js";
import { PYHF_MODIFIER_SETTINGS } from "./modifier-settings.js";
import { MODIFIERS } from "./modifiers/index.js";
import { DELTA_STRIDE, deltaValue, FACTOR_STRIDE, factorValue } from "./modifiers/terms.js";
import type { ChannelLayout, Occurrence, ResolvedModifierSettings, TermSink } from "./modifiers/types.js";
import { buildParameterSets, mergeRequirements, type ParameterSet, parameterNamesOf } from "./parameters.js";
import { compareCodePoints } from "./digest.js";
import { MODIFIER_TYPES, type MeasurementSpec, type ModifierType, type WorkspaceSpec } from "./schema.js";
import { zeros, copyOf } from "../../core/arrays.js";
import { max } from "../../core/describe.js";

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
  const coef = zeros(sorted.length * stride);
  sorted.forEach(({ t }, j) => {
    ptr[t.cell + 1] = (ptr[t.cell + 1] as number) + 1;
    par[j] = t.parameter;
    kind[j] = t.kind;
    for (let c = 0; c < t.coefficients.length && c < stride; c++) coef[j * stride + c] = t.coefficients[c] as number;
  });
  for (let k = 0; k < nCells; k++) ptr[k + 1] = (ptr[k + 1] as number) + (ptr[k] as number);
  return { ptr, par, kind, coef };
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
  declare readonly channels: readonly ChannelLayout[];
  declare readonly parameterSets: readonly ParameterSet[];
  declare readonly parameterNames: readonly string[];
  declare readonly poiName: string;
  declare readonly poiIndex: number;
  declare readonly measurement: MeasurementSpec;
  declare readonly settings: ResolvedModifierSettings;
  declare readonly nPar: number;
  declare readonly nMain: number;
  declare readonly nAux: number;
  declare readonly suggestedInit: readonly number[];
  declare readonly suggestedBounds: readonly (readonly [number, number])[];
  declare readonly suggestedFixed: readonly boolean[];
  /** Nominal auxiliary data. */
  declare readonly auxdata: Float64Array;
  /** Names of the constrained parameter sets in auxiliary-data order (pyhf 0.7: parameter order). */
  declare readonly auxiliaryOrder: readonly string[];
  /** Observed main data (channels by name), from the workspace's observations. */
  declare readonly observed: Float64Array;
  /** Per main bin: nominal yield of the samples the POI acts on, and of the others. */
  declare readonly poiSignal: Float64Array;
  declare readonly poiBackground: Float64Array;

  // --- kernel (@internal: read by LikelihoodEvaluator and hessianBlocks) ----------------------
  declare readonly nCells: number;
  declare readonly cellBin: Int32Array;
  declare readonly cellNom: Float64Array;
  declare readonly fPtr: Int32Array;
  declare readonly fPar: Int32Array;
  declare readonly fKind: Uint8Array;
  declare readonly fCoef: Float64Array;
  declare readonly dPtr: Int32Array;
  declare readonly dPar: Int32Array;
  declare readonly dKind: Uint8Array;
  declare readonly dCoef: Float64Array;
  /** Cells of each main bin (CSR). */
  declare readonly binPtr: Int32Array;
  declare readonly binCells: Int32Array;
  /** Per auxiliary datum: parameter index, constraint (0 normal, 1 Poisson), σ or τ. */
  declare readonly auxPar: Int32Array;
  declare readonly auxPoisson: Uint8Array;
  declare readonly auxScale: Float64Array;
  declare readonly maxFactorsPerCell: number;

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
      maxFactors = max(maxFactors, (this.fPtr[k + 1] as number) - (this.fPtr[k] as number));
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
    this.auxdata = zeros(this.nAux);
    this.auxPar = new Int32Array(this.nAux);
    this.auxPoisson = new Uint8Array(this.nAux);
    this.auxScale = zeros(this.nAux);
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
    this.poiSignal = zeros(this.nMain);
    this.poiBackground = zeros(this.nMain);
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
    indexed.sort((a, b) => compareCodePoints(a.channel.name, b.channel.name));
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
        .sort((a, b) => compareCodePoints(a.sample.name, b.sample.name));
      for (const { sample, si } of samples) {
        const modifiers = sample.modifiers
          .map((modifier, mi) => ({ modifier, mi }))
          .sort(
            (a, b) =>
              compareCodePoints(a.modifier.name, b.modifier.name) ||
              compareCodePoints(a.modifier.type, b.modifier.type),
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
    const observed = zeros(offset);
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
      cellNom: copyOf(cellNom),
      factors: pack(collector.factors, cellBin.length, FACTOR_STRIDE),
      deltas: pack(collector.deltas, cellBin.length, DELTA_STRIDE),
    });
  }

  /** The parameter set called `name`. */
  parameterSet(name: string): ParameterSet | undefined {
    return this.parameterSets.find((s) => s.name === name);
  }

  #checkPars(pars: ArrayLike<number>): void {
    if (pars.length !== this.nPar) {
      throw new InvalidInput(
        `the model has ${this.nPar} parameters (${this.parameterNames.join(", ")}); got ${pars.length} values.`,
      );
    }
  }

  /** Expected main-measurement yields λ(θ), channels by name. */
  expectedMain(pars: ArrayLike<number>, out: Float64Array = zeros(this.nMain)): Float64Array {
    this.#checkPars(pars);
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
  #expectedAux(pars: ArrayLike<number>, out: Float64Array = zeros(this.nAux)): Float64Array {
    this.#checkPars(pars);
    for (let j = 0; j < this.nAux; j++) {
      const x = pars[this.auxPar[j] as number] as number;
      out[j] = this.auxPoisson[j] ? x * (this.auxScale[j] as number) : x;
    }
    return out;
  }

  /** Main expected yields followed by the expected auxiliary data (pyhf's `expected_data`). */
  expectedData(pars: ArrayLike<number>): Float64Array {
    const out = zeros(this.nMain + this.nAux);
    this.expectedMain(pars, out.subarray(0, this.nMain));
    this.#expectedAux(pars, out.subarray(this.nMain));
    return out;
  }

  /**
   * One pseudo-experiment at `pars`: Poisson main counts, then auxiliary data drawn from the
   * constraints (Gaussian N(θ, σ), Poisson Pois(γτ)), as pyhf's `make_pdf(pars).sample()`.
   */
  sample(pars: ArrayLike<number>, rng: RandomSource, includeAuxiliary = true): Float64Array {
    const lambda = this.expectedMain(pars);
    const out = zeros(this.nMain + (includeAuxiliary ? this.nAux : 0));
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
        out[this.nMain + j] = this.auxPoisson[j] ? rng.poisson(max(x * scale, 0)) : x + scale * rng.normal();
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
    const all = finiteEntries(copyOf(data), "data");
    return {
      main: all.subarray(0, this.nMain),
      aux: data.length > this.nMain ? all.subarray(this.nMain) : copyOf(this.auxdata),
    };
  }

  /** An evaluator of log L, −log L with its gradient, and the Hessian, on fixed data. */
  evaluator(data: ModelData): LikelihoodEvaluator {
    return new LikelihoodEvaluator(this, data);
  }

  #localBlocks: number[][] | undefined;

  /**
   * The block-arrow pattern of the Hessian of −log L (see optimize/block-arrow.ts): groups of
   * parameters that act on one main bin only, one group per bin (staterror and shapesys γ's,
   * shapefactors, any modifier of a one-bin channel), and singletons for parameters that act on no
   * bin. The Poisson term of bin b couples only the parameters acting on b, and every constraint
   * term involves one parameter, so two parameters of different groups never share a Hessian entry:
   * H[p][q] = 0 exactly (also in the Fisher information). Parameters acting on several bins are in
   * no group. Computed once per model from the cell layout.
   */
  hessianBlocks(): readonly number[][] {
    if (this.#localBlocks) return this.#localBlocks;
    // The one bin of each parameter: −1 none, −2 several.
    const binOf = new Int32Array(this.nPar).fill(-1);
    for (let k = 0; k < this.nCells; k++) {
      const b = this.cellBin[k] as number;
      const see = (ptr: Int32Array, par: Int32Array) => {
        for (let t = ptr[k] as number; t < (ptr[k + 1] as number); t++) {
          const p = par[t] as number;
          binOf[p] = binOf[p] === -1 || binOf[p] === b ? b : -2;
        }
      };
      see(this.fPtr, this.fPar);
      see(this.dPtr, this.dPar);
    }
    const byBin: number[][] = Array.from({ length: this.nMain }, () => []);
    const blocks: number[][] = [];
    binOf.forEach((b, p) => {
      if (b === -1) blocks.push([p]);
      else if (b >= 0) byBin[b]!.push(p);
    });
    this.#localBlocks = blocks.concat(byBin.filter((g) => g.length > 0));
    return this.#localBlocks;
  }
}
