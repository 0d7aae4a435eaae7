/**
 * The combiner extension point (spey's `spey.combiner.combiner_core.CombinerBase`, spey ≥ 0.2.8):
 * a backend that joins several statistical models into one likelihood with a single global
 * parameter vector p. Model m has local parameters θ_m = p[I_m] (a gather map I_m), and
 *
 *   log L(p) = Σ_m log L_m(p[I_m]),
 *
 * so ∂log L/∂p_a = Σ_m Σ_j g_{m,j} δ(I_m[j], a) and H_ab = Σ_m Σ_jk H^(m)_jk δ(I_m[j], a) δ(I_m[k], b):
 * gradients and Hessians are scatter-adds of the constituents' (the map is a selection, its
 * Jacobian a 0/1 matrix). Subclasses decide only which local parameters are the same global
 * parameter ({@link CombinerBase.buildParameterMap}); everything else lives here.
 *
 * A capability of the combination exists only when every constituent has it: the Hessian (else
 * the fits use the quasi-Newton path), `expectedData` (Asimov data, hence the asymptotic
 * calculator) and the sampler (toys). Missing methods are absent from the instance, so
 * `availableCalculators` lists exactly what works.
 */
import { AnalysisQueryError, ConvergenceError, InvalidInput } from "../../core/errors.js";
import { describeValue, isFiniteNumber, isArray, isInteger, abs, max, min, entriesOf } from "../../core/describe.js";
import { logWarning } from "../../core/logger.js";
import type { Bound } from "../../config/model-config.js";
import { ModelConfig } from "../../config/model-config.js";
import { ConfigVariants } from "../../config/config-variants.js";
import type { RandomSource } from "../../math/random.js";
import { BackendBase } from "../../plugin/backend-base.js";
import { PerAnalysisData, type PerAnalysisDataRecord } from "./per-analysis-data.js";
import { createFitter, type FitOutcome, type Fitter } from "../../fit/fit.js";
import { convexProfileMinimum } from "../../fit/poi-global-minimum.js";
import { sameEntries, zeros, copyOf } from "../../core/arrays.js";
import { reportActivity } from "../../core/activity.js";
import type {
  ConfigOptions,
  ExpectedDataOptions,
  FastPathResult,
  FitHookRequest,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  NumericArray,
  ObjectiveFunction,
  Parameters,
  Sampler,
} from "../../plugin/types.js";

/** A model given to a combiner: a statistical model (its `analysis` names it). */
export { PerAnalysisData, type PerAnalysisDataRecord };

export interface CombinableModel {
  readonly backend: BackendBase;
  readonly analysis: string;
}

/** A constituent by analysis name or by position in the combination. */
export type ModelKey = string | number;

/** The models of a combination and how bare backends are named. */
export interface CombinerBaseArgs {
  /** The models to combine (spey's `statistical_models`); a single model is accepted too. */
  readonly statisticalModels?: readonly (CombinableModel | BackendBase)[] | CombinableModel;
  /** Alias of {@link statisticalModels}. */
  readonly models?: readonly (CombinableModel | BackendBase)[] | CombinableModel;
  /** Analysis names of bare backends (default `model_<k>`). */
  readonly analyses?: readonly string[];
}

/** A member of the combination with everything the hot paths need. */
export interface CombinedMember {
  readonly backend: BackendBase;
  readonly analysis: string;
  readonly config: ModelConfig;
  /** Global index of each local parameter (I_m). */
  readonly map: Int32Array;
}

/** The members' likelihood options of one data set, with what was built for them ({@link CombinerBase}'s cache). */
interface MemberEntry {
  readonly expected: LikelihoodOptions["expected"];
  readonly data: Float64Array | PerAnalysisData | undefined;
  readonly options: LikelihoodOptions[];
  logpdf?: LogpdfFunction[];
  objective?: ObjectiveFunction[];
  hessian?: HessianFunction[];
  fitters?: { readonly optimiser: FitHookRequest["optimiser"]; readonly list: Fitter[] } | undefined;
}

/** What {@link CombinerBase.buildParameterMap} returns. */
export interface ParameterMap {
  /** The gather map of every model, in model order. */
  readonly maps: readonly Int32Array[];
  /** Global name of every shared slot, by slot index. */
  readonly sharedNames: ReadonlyMap<number, string>;
}

const isModel = (m: unknown): m is CombinableModel =>
  typeof m === "object" &&
  m !== null &&
  !(m instanceof BackendBase) &&
  (m as CombinableModel).backend instanceof Object;

function toFiniteVector(values: NumericArray, argument: string): Float64Array {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new InvalidInput(`${argument} must be an array of numbers.`);
  }
  const out = copyOf(values);
  for (let i = 0; i < out.length; i++) {
    if (!isFiniteNumber(out[i])) throw new InvalidInput(`${argument}[${i}] must be finite; got ${out[i]}.`);
  }
  return out;
}

/**
 * Base class of the combiners (`default.uncorrelated_combiner`, `default.correlated_combiner`, or
 * your own: subclass, declare the static metadata and implement {@link buildParameterMap};
 * {@link allocateSlots} turns a grouping of local parameters into gather maps).
 *
 * @example
 * class MuOnly extends CombinerBase {
 *   static override name = "my.mu_combiner"; // + version, author, speyRequires
 *   protected buildParameterMap(localNames: string[][]) {
 *     const groups = new Map(localNames.map((names, m) => [`${m}:${names.indexOf("mu")}`, "mu"]));
 *     const { maps, slotOf } = CombinerBase.allocateSlots(localNames, groups);
 *     return { maps, sharedNames: new Map([[slotOf.get("mu") as number, "mu"]]) };
 *   }
 * }
 */
export abstract class CombinerBase extends BackendBase implements Iterable<CombinableModel> {
  declare protected readonly members: readonly CombinedMember[];
  readonly #storedConfig: ModelConfig;
  readonly #slots: number;
  #widths: number[] | undefined;
  /** Whether every constituent has an analytic gradient (`getObjectiveFunction`). */
  declare readonly isDifferentiable: boolean;
  /** Whether every constituent has a Hessian (else the combined fits are quasi-Newton). */
  declare readonly isHessianAvailable: boolean;

  constructor(args: CombinerBaseArgs, options: { poiName?: string | undefined; poiIndex?: number | undefined } = {}) {
    super();
    const entries = CombinerBase.#readModels(args);
    const configs = entries.map((e) => e.backend.config());
    const localNames = entries.map((e, k) => CombinerBase.localParameterNames(configs[k] as ModelConfig, e.analysis));
    this.members = entries.map((e, k) => ({
      ...e,
      config: configs[k] as ModelConfig,
      map: new Int32Array(0),
    }));
    const { maps, sharedNames } = this.buildParameterMap(localNames, args);
    this.#slots = CombinerBase.#checkMaps(maps, configs);
    this.members = entries.map((e, k) => ({ ...e, config: configs[k] as ModelConfig, map: maps[k] as Int32Array }));
    this.#storedConfig = this.#buildConfig(sharedNames, localNames, options);
    this.isDifferentiable = this.members.every((m) => typeof m.backend.getObjectiveFunction === "function");
    this.isHessianAvailable = this.members.every((m) => typeof m.backend.getHessianLogpdfFunc === "function");
    // Capabilities the combination does not have are removed from the instance (spey's
    // `_disable_unsupported_capabilities`): the statistical model then reports the calculators
    // that work, and fits fall back to the quasi-Newton path without a Hessian.
    const hide = (method: "getHessianLogpdfFunc" | "expectedData" | "getSampler") =>
      Object.defineProperty(this, method, { value: undefined, configurable: true, writable: true });
    if (!this.isHessianAvailable) hide("getHessianLogpdfFunc");
    const allExpected = this.members.every((m) => typeof m.backend.expectedData === "function");
    if (!allExpected) hide("expectedData");
    if (!allExpected || !this.members.every((m) => typeof m.backend.getSampler === "function")) hide("getSampler");
  }

  /**
   * Decide which local parameters are identified (the only method a combiner implements).
   * `localNames[m]` are model m's parameter names ({@link localParameterNames}).
   */
  protected abstract buildParameterMap(
    localNames: readonly (readonly string[])[],
    args: CombinerBaseArgs,
  ): ParameterMap;

  /** The global index of the combined POI (default: the slot of the first model's POI). */
  protected selectPoi(
    _names: readonly string[],
    options: { poiName?: string | undefined; poiIndex?: number | undefined },
  ): number {
    if (options.poiName !== undefined && options.poiIndex !== undefined) {
      throw new InvalidInput("give poiName or poiIndex, not both.");
    }
    if (options.poiName !== undefined) {
      const i = _names.indexOf(options.poiName);
      if (i < 0)
        throw new InvalidInput(
          `poiName "${options.poiName}" is not among the combined parameters: [${_names.join(", ")}].`,
        );
      return i;
    }
    if (options.poiIndex !== undefined) {
      if (!isInteger(options.poiIndex) || options.poiIndex < 0 || options.poiIndex >= this.#slots) {
        throw new InvalidInput(`poiIndex ${options.poiIndex} is out of range for ${this.#slots} combined parameters.`);
      }
      return options.poiIndex;
    }
    const first = this.members[0] as CombinedMember;
    return first.map[first.config.poiIndex] as number;
  }

  // -----------------------------------------------------------------------------------------
  // Construction helpers

  static #readModels(args: CombinerBaseArgs): { backend: BackendBase; analysis: string }[] {
    if (!args || typeof args !== "object") {
      throw new InvalidInput("combiner arguments must be an object {statisticalModels: [...]}.");
    }
    if (args.statisticalModels !== undefined && args.models !== undefined) {
      throw new InvalidInput("give statisticalModels or its alias models, not both.");
    }
    let list = args.statisticalModels ?? args.models;
    if (list !== undefined && !isArray(list) && isModel(list)) list = [list];
    if (!isArray(list) || list.length === 0) {
      throw new InvalidInput("statisticalModels must be a non-empty array of statistical models.");
    }
    const entries = (list as readonly unknown[]).map((m, k) => {
      if (m instanceof BackendBase) return { backend: m, analysis: args.analyses?.[k] ?? `model_${k}` };
      if (isModel(m) && m.backend instanceof BackendBase && typeof m.analysis === "string") {
        return { backend: m.backend, analysis: m.analysis };
      }
      throw new InvalidInput(
        `statisticalModels[${k}] is neither a StatisticalModel nor a backend instance; got ${m === null ? "null" : typeof m}.`,
      );
    });
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.analysis)) {
        throw new AnalysisQueryError(`analysis "${e.analysis}" appears twice; give each model a unique analysis name.`);
      }
      seen.add(e.analysis);
    }
    return entries;
  }

  /**
   * Local parameter names of a model: its `parameterNames`, or — when it declares none — "mu" for
   * the POI and `<analysis>_par_<index>` for the others (spey's `_local_parameter_names`).
   */
  static localParameterNames(config: ModelConfig, analysis: string): string[] {
    if (config.parameterNames && config.parameterNames.length === config.npar) return [...config.parameterNames];
    return Array.from({ length: config.npar }, (_, i) => (i === config.poiIndex ? "mu" : `${analysis}_par_${i}`));
  }

  /**
   * Gather maps from a grouping `"model:parameter" → group label`: slots are allocated in
   * first-occurrence order (model 0's parameters first), members of one group share a slot,
   * every other parameter gets its own (spey's `_allocate_slots`).
   */
  static allocateSlots(
    localNames: readonly (readonly string[])[],
    groupOf: ReadonlyMap<string, string>,
  ): { maps: Int32Array[]; slotOf: Map<string, number> } {
    const slotOf = new Map<string, number>();
    let n = 0;
    const maps = localNames.map((names, m) => {
      const map = new Int32Array(names.length);
      for (let p = 0; p < names.length; p++) {
        const group = groupOf.get(`${m}:${p}`);
        if (group === undefined) map[p] = n++;
        else if (slotOf.has(group)) map[p] = slotOf.get(group) as number;
        else {
          slotOf.set(group, n);
          map[p] = n++;
        }
      }
      return map;
    });
    return { maps, slotOf };
  }

  static #checkMaps(maps: readonly Int32Array[], configs: readonly ModelConfig[]): number {
    if (maps.length !== configs.length || maps.some((m, k) => m.length !== (configs[k] as ModelConfig).npar)) {
      throw new InvalidInput(
        "buildParameterMap must return one gather map per model with one entry per local parameter.",
      );
    }
    let n = 0;
    for (const map of maps) for (const v of map) n = max(n, v + 1);
    const seen = new Uint8Array(n);
    for (const map of maps) {
      for (const v of map) {
        if (!isInteger(v) || v < 0) throw new InvalidInput(`gather maps must hold slot indices ≥ 0; got ${v}.`);
        seen[v] = 1;
      }
    }
    if (seen.some((s) => s === 0))
      throw new InvalidInput("gather maps must cover every global slot 0 … N−1 without gaps.");
    return n;
  }

  #buildConfig(
    sharedNames: ReadonlyMap<number, string>,
    localNames: readonly (readonly string[])[],
    options: { poiName?: string | undefined; poiIndex?: number | undefined },
  ): ModelConfig {
    const contributors: [number, number][][] = Array.from({ length: this.#slots }, () => []);
    this.members.forEach((m, k) => m.map.forEach((slot, p) => (contributors[slot] as [number, number][]).push([k, p])));
    const names = this.#globalNames(contributors, sharedNames, localNames);
    const init: number[] = [];
    const bounds: [number, number][] = [];
    const fixed: boolean[] = [];
    let anyFixed = false;
    contributors.forEach((owners, slot) => {
      const [k0, p0] = owners[0] as [number, number];
      init.push((this.members[k0] as CombinedMember).config.suggestedInit[p0] as number);
      let lo = Number.NEGATIVE_INFINITY;
      let hi = Number.POSITIVE_INFINITY;
      let f = false;
      for (const [k, p] of owners) {
        const cfg = (this.members[k] as CombinedMember).config;
        const b = cfg.suggestedBounds[p] as Bound;
        lo = max(lo, b[0]);
        hi = min(hi, b[1]);
        if (cfg.suggestedFixed) {
          anyFixed = true;
          f ||= cfg.suggestedFixed[p] as boolean;
        }
      }
      if (lo > hi) {
        throw new InvalidInput(
          `the bounds of shared parameter "${names[slot]}" do not overlap across models (intersection [${lo}, ${hi}] is empty).`,
        );
      }
      bounds.push([lo, hi]);
      fixed.push(f);
    });
    const poi = this.selectPoi(names, options);
    let minimumPoi = Number.NEGATIVE_INFINITY;
    let any = false;
    for (const [k, p] of contributors[poi] as [number, number][]) {
      const cfg = (this.members[k] as CombinedMember).config;
      if (cfg.poiIndex === p) {
        minimumPoi = any ? max(minimumPoi, cfg.minimumPoi) : cfg.minimumPoi;
        any = true;
      }
    }
    return new ModelConfig({
      poiIndex: poi,
      minimumPoi,
      suggestedInit: init,
      suggestedBounds: bounds,
      parameterNames: names,
      suggestedFixed: anyFixed ? fixed : null,
    });
  }

  /**
   * Unique global names (spey's `_global_names`): a shared slot takes its group name; a private
   * slot keeps its local name when no other slot claims it, else `<analysis>::<local name>`.
   */
  #globalNames(
    contributors: readonly (readonly [number, number])[][],
    sharedNames: ReadonlyMap<number, string>,
    localNames: readonly (readonly string[])[],
  ): string[] {
    const candidates = contributors.map((owners, slot) => {
      const shared = sharedNames.get(slot);
      if (shared !== undefined) return shared;
      const [k, p] = owners[0] as [number, number];
      return (localNames[k] as readonly string[])[p] as string;
    });
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(c, (counts.get(c) ?? 0) + 1);
    const names = candidates.map((c, slot) => {
      if (counts.get(c) === 1 || sharedNames.has(slot)) return c;
      const [k, p] = (contributors[slot] as [number, number][])[0] as [number, number];
      return `${(this.members[k] as CombinedMember).analysis}::${(localNames[k] as readonly string[])[p]}`;
    });
    const seen = new Map<string, number>();
    return names.map((c) => {
      const n = seen.get(c);
      if (n === undefined) {
        seen.set(c, 0);
        return c;
      }
      seen.set(c, n + 1);
      return `${c}_${n + 1}`;
    });
  }

  // -----------------------------------------------------------------------------------------
  // Introspection

  /** Number of constituent models. */
  get length(): number {
    return this.members.length;
  }

  /** The constituent models, in order. */
  [Symbol.iterator](): Iterator<CombinableModel> {
    return this.statisticalModels[Symbol.iterator]();
  }

  /** The constituent models (`{backend, analysis}`; the statistical models when those were given). */
  get statisticalModels(): CombinableModel[] {
    return this.members.map((m) => ({ backend: m.backend, analysis: m.analysis }));
  }

  /** Analysis names, in model order. */
  get analyses(): string[] {
    return this.members.map((m) => m.analysis);
  }

  /** A constituent by position or analysis name (spey's `__getitem__`). */
  get(key: ModelKey): CombinableModel {
    const m = this.members[this.resolveModelKey(key)] as CombinedMember;
    return { backend: m.backend, analysis: m.analysis };
  }

  /** Position of a model given by analysis name or index; {@link AnalysisQueryError} otherwise. */
  resolveModelKey(key: ModelKey): number {
    if (typeof key === "number") {
      if (!isInteger(key) || key < 0 || key >= this.members.length) {
        throw new AnalysisQueryError(`model index ${key} is out of range for ${this.members.length} models.`);
      }
      return key;
    }
    const byName = this.members.findIndex((m) => m.analysis === key);
    if (byName >= 0) return byName;
    if (typeof key === "string" && /^\d+$/.test(key)) return this.resolveModelKey(Number(key));
    throw new AnalysisQueryError(`"${String(key)}" is not among the analyses: [${this.analyses.join(", ")}].`);
  }

  /** Number of combined parameters. */
  get npar(): number {
    return this.#slots;
  }

  /** Names of the combined parameters. */
  get parameterNames(): string[] {
    return [...(this.#storedConfig.parameterNames as readonly string[])];
  }

  /** Gather map of every model: `indexMap[analysis][j]` is the global index of its j-th parameter. */
  get indexMap(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const m of this.members) out[m.analysis] = Array.from(m.map);
    return out;
  }

  /** Names of the combined parameters that more than one model contributes to. */
  get sharedParameterNames(): string[] {
    const counts = new Int32Array(this.#slots);
    for (const m of this.members) for (const v of m.map) counts[v]! += 1;
    return this.parameterNames.filter((_, i) => (counts[i] as number) > 1);
  }

  override get isAlive(): boolean {
    return this.members.some((m) => m.backend.isAlive);
  }

  /** The configuration's POI-bound variants, each made once (a fit asks for its configuration often). */
  #configVariants: ConfigVariants | undefined;

  config(options: ConfigOptions = {}): ModelConfig {
    const allow = options.allowNegativeSignal ?? true;
    if (allow && options.poiUpperBound === undefined) return this.#storedConfig;
    this.#configVariants ??= new ConfigVariants(
      this.#storedConfig,
      (this.#storedConfig.suggestedBounds[this.#storedConfig.poiIndex] as Bound)[1],
    );
    return this.#configVariants.get(options);
  }

  // -----------------------------------------------------------------------------------------
  // Data

  /** Number of data values of each model (main + auxiliary), from its expected data at the suggested point. */
  dataWidths(): number[] {
    if (this.#widths) return this.#widths;
    const init = copyOf(this.#storedConfig.suggestedInit);
    this.#widths = this.members.map((m) => {
      if (typeof m.backend.expectedData !== "function") {
        throw new InvalidInput(
          `model "${m.analysis}" has no expectedData, so a flat combined data vector cannot be split; pass data per analysis, e.g. {${describeValue(m.analysis)}: [...]}.`,
        );
      }
      return m.backend.expectedData(this.gather(m, init, zeros(m.map.length))).length;
    });
    return this.#widths;
  }

  /**
   * Split a flat combined data vector (models' data concatenated in model order, as
   * {@link expectedData} and the sampler produce it) into per-analysis vectors (spey's `split_data`).
   */
  splitData(data: NumericArray): Record<string, Float64Array> {
    const parts = this.#splitFlat(toFiniteVector(data, "data"));
    const out: Record<string, Float64Array> = {};
    this.members.forEach((m, k) => {
      out[m.analysis] = parts[k] as Float64Array;
    });
    return out;
  }

  /** Per-analysis data (analysis name or position → data) in the form the likelihood hooks accept. */
  perAnalysisData(record: PerAnalysisDataRecord | ReadonlyMap<ModelKey, NumericArray>): PerAnalysisData {
    const entries = new Map<number, Float64Array>();
    const pairs = record instanceof Map ? [...record.entries()] : entriesOf(record);
    for (const [key, value] of pairs) {
      const k = this.resolveModelKey(key as ModelKey);
      entries.set(k, toFiniteVector(value as NumericArray, `data[${describeValue(key)}]`));
    }
    return new PerAnalysisData(entries);
  }

  #splitFlat(data: Float64Array): Float64Array[] {
    const widths = this.dataWidths();
    const total = widths.reduce((s, w) => s + w, 0);
    if (data.length !== total) {
      throw new InvalidInput(
        `data has ${data.length} entries; the combined model expects ${total} (${widths.join(" + ")}: each model's main and auxiliary data, concatenated in model order), or data per analysis.`,
      );
    }
    const out: Float64Array[] = [];
    let offset = 0;
    for (const w of widths) {
      out.push(data.slice(offset, offset + w));
      offset += w;
    }
    return out;
  }

  /**
   * The members' likelihood options of the last two data sets asked for (a hypothesis test
   * alternates between the observed and the Asimov data), with the members' likelihood functions
   * and fitters built for them (each kind on first use): a fit, its start search and a profile ask
   * for the same data many times, and a member's functions cost a data check and an evaluator each.
   * Flat data are recognised by value (a copy is kept), per-analysis data by identity (they are
   * copied when built).
   */
  #memberCache: MemberEntry[] = [];

  /** The cache entry of these options ({@link memberCache}), made anew when the data differ. */
  #memberEntry(options: LikelihoodOptions | undefined): MemberEntry {
    const data = options?.data;
    const expected = options?.expected;
    // absent and per-analysis data by identity, flat data by value
    const flat = data !== undefined && !(data instanceof PerAnalysisData);
    for (const e of this.#memberCache) {
      if (
        e.expected === expected &&
        (flat ? e.data instanceof Float64Array && sameEntries(e.data, data) : e.data === data)
      )
        return e;
    }
    const entry: MemberEntry = {
      expected,
      data: data === undefined || data instanceof PerAnalysisData ? data : toFiniteVector(data as NumericArray, "data"),
      options: this.#buildMemberOptions(options),
    };
    this.#memberCache = [entry, ...this.#memberCache.slice(0, 1)];
    return entry;
  }

  #buildMemberOptions(options: LikelihoodOptions | undefined): LikelihoodOptions[] {
    const data = options?.data;
    const base = options?.expected ? { expected: options.expected } : {};
    if (data === undefined) return this.members.map(() => base);
    if (data instanceof PerAnalysisData) {
      return this.members.map((_, k) => {
        const d = data.perAnalysis.get(k);
        return d ? { ...base, data: d } : base;
      });
    }
    const parts = this.#splitFlat(toFiniteVector(data, "data"));
    return this.members.map((_, k) => ({ ...base, data: parts[k] as Float64Array }));
  }

  protected gather(m: CombinedMember, pars: Parameters, out: Float64Array): Float64Array {
    for (let i = 0; i < m.map.length; i++) out[i] = pars[m.map[i] as number] as number;
    return out;
  }

  // -----------------------------------------------------------------------------------------
  // Fits

  /**
   * Member k's fit with its local `fixed` parameters: its own fit hook first, as its fitter would
   * call it from the same start — a converged result that searched the whole feasible set
   * (`global`) is what the fitter would return; otherwise (no hook, not global, not converged) the
   * member's fitter, with its starts (cached per data, as profiles fit many μ).
   */
  #memberFit(
    k: number,
    fixed: ReadonlyMap<number, number>,
    init: Float64Array | undefined,
    request: FitHookRequest,
    entry: MemberEntry,
  ): FitOutcome {
    const m = this.members[k] as CombinedMember;
    const opts = entry.options;
    const expected = (opts[k] as LikelihoodOptions).expected ?? "observed";
    if (fixed.size === m.config.npar && init) {
      // nothing to fit (e.g. a one-parameter member at fixed μ): log L at the fixed values, as its fitter returns
      const parameters = copyOf(init);
      for (const [j, v] of fixed) parameters[j] = v;
      return { nll: -(this.#memberLogpdfs(entry)[k] as LogpdfFunction)(parameters), parameters, converged: true };
    }
    const hook = m.backend.bestFit;
    if (typeof hook === "function") {
      reportActivity("fit");
      // (one object shape for every call: spreads of varying shapes cost more than the member's fit)
      const own = hook.call(m.backend, {
        fixed,
        allowNegativeSignal: request.allowNegativeSignal ?? true,
        expected,
        data: (opts[k] as LikelihoodOptions).data,
        initPars: init ?? copyOf(m.config.suggestedInit),
        optimiser: request.optimiser,
      });
      if (own?.global === true && own.converged !== false)
        return { nll: own.nll, parameters: own.parameters, converged: true };
    }
    if (entry.fitters?.optimiser !== request.optimiser) entry.fitters = undefined;
    entry.fitters ??= {
      optimiser: request.optimiser,
      list: this.members.map((member, j) => {
        const d = (opts[j] as LikelihoodOptions).data;
        return createFitter({
          backend: member.backend,
          backendFit: true,
          config: member.config,
          expected: (opts[j] as LikelihoodOptions).expected ?? "observed",
          data: d === undefined || d instanceof Float64Array ? d : copyOf(d),
          optimiser: request.optimiser,
          dataLabel: `the data of "${member.analysis}"`,
        });
      }),
    };
    return (entry.fitters.list[k] as Fitter).fit(fixed, init);
  }

  /**
   * The fit hook. A fit whose free parameters other than the POI are each some single member's
   * (e.g. only the POI shared) splits: log L(p) = Σ_m log L_m(p[I_m]) with disjoint free sets.
   *
   * A conditional fit (POI fixed) is the sum of the members' own conditional fits ({@link memberFit}:
   * closed-form or exact profiles, multi-starts), at least as good as the joint fit from the same starts.
   *
   * A free fit, the POI every member's own and every member's profile certified convex in μ
   * (`profileConvexInPoi`), from a caller's start, is the minimum over μ in the POI bounds (the
   * configuration's for `allowNegativeSignal`, within the members' domains) of P(μ) = Σ_m P_m(μ),
   * P_m(μ) member m's conditional fit (warm-started from its fit at the previous μ) with its slope
   * ∂(−log L_m)/∂μ there (envelope theorem): fit/poi-global-minimum.ts's `convexProfileMinimum`
   * (spey's `UnCorrStatisticsCombiner.maximize_likelihood`), Newton on the summed slopes, the
   * minimum certified by tangents or by values beside it — global, P being convex. From the
   * suggested start (nothing known of μ̂) the joint Newton fit needs fewer member evaluations than the
   * profile's secant steps from afar; a caller's start (the point that generated Asimov data, a
   * neighbouring fit) is at or next to μ̂, where one or two conditional fits per member certify the
   * minimum. A non-convex sum would need a scan of μ (issue #9's global minimum) costing more member
   * fits than the joint fit. Anything else — another shared parameter, a member fit that does not
   * converge, a minimum not certified — takes the generic joint fit (undefined): never a local minimum.
   */
  override bestFit(request: FitHookRequest): FastPathResult | undefined {
    const { fixed, initPars: init } = request;
    const members = this.members;
    const poi = this.#storedConfig.poiIndex;
    const conditional = fixed.has(poi);
    const owners = new Int32Array(this.#slots).fill(-1);
    for (let k = 0; k < members.length; k++) {
      const m = members[k] as CombinedMember;
      if (!conditional && m.map[m.config.poiIndex] !== poi) return undefined;
      for (const slot of m.map) {
        if (fixed.has(slot) || slot === poi) continue;
        if (owners[slot] !== -1 && owners[slot] !== k) return undefined;
        owners[slot] = k;
      }
    }
    if (
      !conditional &&
      (!init ||
        sameEntries(init, this.#storedConfig.suggestedInit) ||
        !members.every((m) => m.backend.profileConvexInPoi?.() === true))
    )
      return undefined;
    const entry = this.#memberEntry(request);
    // each member's fixed parameters by local index, and its start (its fit at the previous μ)
    const locals = members.map((m) => {
      const local = new Map<number, number>();
      m.map.forEach((slot, j) => {
        const v = fixed.get(slot);
        if (v !== undefined) local.set(j, v);
      });
      return local;
    });
    const warm = members.map((m) => init && this.gather(m, init, zeros(m.map.length)));
    const fitsAt = new Map<number, FitOutcome[]>();
    const at = (mu: number): FitOutcome[] => {
      let fits = fitsAt.get(mu);
      if (!fits) {
        fits = members.map((m, k) => {
          const f = this.#memberFit(
            k,
            (locals[k] as Map<number, number>).set(m.config.poiIndex, mu),
            warm[k],
            request,
            entry,
          );
          // (the caller's allowUnconverged is for the free fit as a whole: the joint fit decides)
          if (!conditional && !(f.converged && isFiniteNumber(f.nll))) throw new ConvergenceError(m.analysis);
          warm[k] = f.parameters;
          return f;
        });
        fitsAt.set(mu, fits);
      }
      return fits;
    };
    const sum = (mu: number) => at(mu).reduce((total, f) => total + f.nll, 0);
    const result = (mu: number, nll: number): FastPathResult => {
      const parameters = zeros(this.#slots);
      const messages: string[] = [];
      at(mu).forEach((f, k) => {
        const m = members[k] as CombinedMember;
        m.map.forEach((slot, j) => {
          parameters[slot] = f.parameters[j] as number;
        });
        if (!f.converged) messages.push(`${m.analysis}: ${f.message ?? "not converged"}`);
      });
      return {
        nll,
        parameters,
        converged: messages.length === 0,
        message: messages.length > 0 ? messages.join("; ") : undefined,
        global: true,
      };
    };
    if (conditional) {
      const mu = fixed.get(poi) as number;
      return result(mu, sum(mu));
    }
    let [lower, upper] = this.config(request).suggestedBounds[poi] as Bound;
    const domain = this.domainBounds()?.[poi];
    if (domain) {
      lower = max(lower, domain[0]);
      upper = min(upper, domain[1]);
    }
    if (!(lower < upper && upper - lower < Number.POSITIVE_INFINITY)) return undefined;
    const grad = members.map((m) => zeros(m.map.length));
    try {
      const best = convexProfileMinimum(
        sum,
        (mu) =>
          at(mu).reduce((total, f, k) => {
            (this.#memberObjectives(entry)[k] as ObjectiveFunction)(f.parameters, grad[k]);
            return total + ((grad[k] as Float64Array)[(members[k] as CombinedMember).config.poiIndex] as number);
          }, 0),
        (mu) => at(mu).every((f, k) => (members[k] as CombinedMember).backend.smoothInPoiAt?.(f.parameters) === true),
        lower,
        upper,
        (init as Float64Array)[poi] as number,
      );
      return best && result(best.x, best.fun);
    } catch (error) {
      // a member's fit that did not converge: the joint fit decides
      if (error instanceof ConvergenceError) return undefined;
      throw error;
    }
  }

  // -----------------------------------------------------------------------------------------
  // Likelihood

  getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction {
    const entry = this.#memberEntry(options);
    const members = this.members;
    const scratch = members.map((m) => zeros(m.map.length));
    // the members' functions are built at the first evaluation (a fit served by the fit hook never evaluates)
    let fns: LogpdfFunction[] | undefined;
    return (pars) => {
      fns ??= this.#memberLogpdfs(entry);
      let total = 0;
      for (let k = 0; k < fns.length; k++) {
        const m = members[k] as CombinedMember;
        const local = this.gather(m, pars, scratch[k] as Float64Array);
        total += (fns[k] as LogpdfFunction)(local);
      }
      return total;
    };
  }

  /**
   * −log L with its gradient, scatter-added from the constituents'; a constituent without an
   * analytic gradient contributes central finite differences of its log-likelihood.
   */
  override getObjectiveFunction(options?: LikelihoodOptions): ObjectiveFunction {
    const entry = this.#memberEntry(options);
    const members = this.members;
    const scratch = members.map((m) => zeros(m.map.length));
    const grads = members.map((m) => zeros(m.map.length));
    let fns: ObjectiveFunction[] | undefined;
    return (pars, grad) => {
      fns ??= this.#memberObjectives(entry);
      let total = 0;
      if (grad) grad.fill(0);
      for (let k = 0; k < fns.length; k++) {
        const m = members[k] as CombinedMember;
        const local = this.gather(m, pars, scratch[k] as Float64Array);
        const g = grads[k] as Float64Array;
        total += (fns[k] as ObjectiveFunction)(local, grad ? g : undefined);
        if (grad) for (let i = 0; i < m.map.length; i++) grad[m.map[i] as number]! += g[i] as number;
      }
      return total;
    };
  }

  /** The members' log L of a cache entry, built on first use. */
  #memberLogpdfs(entry: MemberEntry): LogpdfFunction[] {
    entry.logpdf ??= this.members.map((m, k) => m.backend.getLogpdfFunc(entry.options[k]));
    return entry.logpdf;
  }

  /** The members' (−log L, ∇) of a cache entry, built on first use. */
  #memberObjectives(entry: MemberEntry): ObjectiveFunction[] {
    entry.objective ??= this.members.map((m, k) => {
      const objective = m.backend.getObjectiveFunction?.(entry.options[k]);
      return objective ?? finiteDifferenceObjective(m.backend.getLogpdfFunc(entry.options[k]));
    });
    return entry.objective;
  }

  override getHessianLogpdfFunc(options?: LikelihoodOptions): HessianFunction {
    const entry = this.#memberEntry(options);
    const members = this.members;
    for (const m of members) {
      if (typeof m.backend.getHessianLogpdfFunc !== "function")
        throw new InvalidInput(`model "${m.analysis}" has no Hessian.`);
    }
    const n = this.#slots;
    const scratch = members.map((m) => zeros(m.map.length));
    // each member's last Hessian is the buffer of its next one (HessianFunction's `out`): it is
    // added into H before that
    const memberHessians: (Float64Array | undefined)[] = [];
    let fns: HessianFunction[] | undefined;
    return (pars, out) => {
      fns ??= entry.hessian ??= members.map((m, k) =>
        (m.backend.getHessianLogpdfFunc as (o: LikelihoodOptions) => HessianFunction)(
          entry.options[k] as LikelihoodOptions,
        ),
      );
      const H = out?.length === n * n ? out.fill(0) : zeros(n * n);
      for (let k = 0; k < fns.length; k++) {
        const m = members[k] as CombinedMember;
        const local = this.gather(m, pars, scratch[k] as Float64Array);
        const h = (fns[k] as HessianFunction)(local, memberHessians[k]);
        memberHessians[k] = h;
        const p = m.map.length;
        for (let a = 0; a < p; a++) {
          const row = (m.map[a] as number) * n;
          for (let b = 0; b < p; b++) H[row + (m.map[b] as number)]! += h[a * p + b] as number;
        }
      }
      return H;
    };
  }

  /** The models' expected data at their gathered parameters, concatenated in model order. */
  override expectedData(pars: Parameters, options?: ExpectedDataOptions): Float64Array {
    const parts = this.members.map((m) => {
      const f = m.backend.expectedData;
      if (!f) throw new InvalidInput(`model "${m.analysis}" has no expectedData.`);
      return f.call(m.backend, this.gather(m, pars, zeros(m.map.length)), options);
    });
    // (each model's main and auxiliary data: the widths that split flat data)
    if (options?.includeAuxiliary !== false) this.#widths ??= parts.map((p) => p.length);
    return concatenate(parts);
  }

  override domainBounds(): readonly Bound[] | undefined {
    const out: [number, number][] = Array.from({ length: this.#slots }, () => [
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    let any = false;
    for (const m of this.members) {
      const d = m.backend.domainBounds?.();
      if (!d) continue;
      any = true;
      m.map.forEach((c, i) => {
        const b = d[i];
        if (!b) return;
        const o = out[c] as [number, number];
        o[0] = max(o[0], b[0]);
        o[1] = min(o[1], b[1]);
      });
    }
    return any ? out : undefined;
  }

  /** Pseudo-data of every model at its gathered parameters, concatenated (observations are independent given p). */
  override getSampler(pars: Parameters): Sampler {
    const samplers = this.members.map((m) => {
      if (!m.backend.getSampler) throw new InvalidInput(`model "${m.analysis}" cannot draw pseudo-data.`);
      return m.backend.getSampler(this.gather(m, pars, zeros(m.map.length)));
    });
    return (size: number, rng: RandomSource) => {
      const parts = samplers.map((s) => s(size, rng));
      return Array.from({ length: size }, (_, t) => concatenate(parts.map((p) => p[t] as Float64Array)));
    };
  }
}

function concatenate(parts: readonly Float64Array[]): Float64Array {
  const out = zeros(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** −log L with a central-difference gradient (step 1e-6·max(1, |x|)), for constituents without one. */
export function finiteDifferenceObjective(logpdf: LogpdfFunction): ObjectiveFunction {
  return (pars, grad) => {
    const value = -logpdf(pars);
    if (grad) {
      const x = copyOf(pars);
      for (let i = 0; i < x.length; i++) {
        const xi = x[i] as number;
        const h = 1e-6 * max(1, abs(xi));
        x[i] = xi + h;
        const up = -logpdf(x);
        x[i] = xi - h;
        const down = -logpdf(x);
        x[i] = xi;
        grad[i] = (up - down) / (2 * h);
      }
    }
    return value;
  };
}

/** Warn about shared-parameter groups that correlate nothing. */
export function warnSingleMember(name: string): void {
  logWarning(`shared parameter group "${name}" has a single member; it does not correlate anything.`);
}
