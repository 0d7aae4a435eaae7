/**
 * The HistFactory backends: `pyhf` (a full pyhf workspace plus a signal patch, spey-pyhf's
 * `FullStatisticalModel`) and `pyhf.uncorrelated_background` (pyhf's
 * `simplemodels.uncorrelated_background`, spey-pyhf's `UncorrelatedBackground`), computed natively.
 *
 * Conventions (spey-pyhf 0.2 with pyhf 0.7.6, unless stated):
 * - parameters, bounds, initial values and auxiliary data in pyhf's order; the POI from the
 *   measurement;
 * - interpolation codes normsys "code4", histosys "code4p" (spey-pyhf forces them); any pyhf code
 *   pair can be chosen with `modifierSettings`;
 * - POI bounds (`poiBounds`): "spey-pyhf" (default) gives μ ∈ [max(μ_min, −10), upper] when negative
 *   signals are allowed, with μ_min = −min_b (background_b / signal_b) over bins with signal, and
 *   [0, upper] otherwise; "measurement" keeps the measurement's POI bounds (pyhf's
 *   `suggested_bounds`, [0, 10] by default) in every fit — with `allowNegativeSignal: true` the
 *   core then computes pyhf's and ROOT's qμ with μ̂ ≥ 0;
 * - "apriori" data: the expected main data at the suggested initial parameters with the POI at 0
 *   (the background-only expectation at nominal nuisances) and the nominal auxiliary data.
 *   spey-pyhf sums the nominal yields of the background-only workspace instead; the two agree
 *   unless the measurement moves a background parameter away from its nominal value or the
 *   unpatched workspace already contains the signal.
 */
import { ModelConfig } from "../../config/model-config.js";
import { ConvergenceError, InvalidInput } from "../../core/errors.js";
import { logWarning, logDebug } from "../../core/logger.js";
import { VERSION } from "../../core/version.js";
import { BackendBase } from "../../plugin/backend-base.js";
import { minimumPoi as physicalMinimumPoi, selectData, toFiniteVector } from "../inputs.js";
import { BlockArrowCholesky } from "../../optimize/block-arrow.js";
import { minimize } from "../../optimize/minimize.js";
import type { HessianFactoriser, MinimizeOptions } from "../../optimize/types.js";
import type {
  ConfigOptions,
  ExpectedDataOptions,
  FastPathConditionalOptions,
  FastPathFreeOptions,
  FastPathResult,
  FitHookRequest,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  ObjectiveFunction,
  Parameters,
  Sampler,
} from "../../plugin/types.js";
import { WorkspaceError } from "./errors.js";
import { type JsonPatch, validateJsonPatch } from "./json-patch.js";
import type { LikelihoodEvaluator, ModelData } from "./evaluator.js";
import { FisherFactoriser } from "./fisher.js";
import type { HistFactoryModel } from "./model.js";
import { type ModifierSettings, modifierSettingsOf, resolveModifierSettings } from "./modifier-settings.js";
import type { WorkspaceSpec } from "./schema.js";
import { type JoinOperation, Workspace } from "./workspace.js";
import { describeValue, isFiniteNumber, isInteger, abs, max, min, stringify } from "../../core/describe.js";
import { type ResolvedWarmStart, resolveWarmStart, type WarmStartOption } from "./warm-start.js";
import { zeros, copyOf } from "../../core/arrays.js";

/** How the POI is bounded in fits (see the module documentation). */
export type PoiBoundsMode = "spey-pyhf" | "measurement";

/** Options shared by the HistFactory backends. */
export interface HistFactoryBackendOptions {
  /**
   * "spey-pyhf" (default): μ ∈ [max(μ_min, −10), upper] when negative signals are allowed.
   * "measurement": the measurement's POI bounds always (pyhf/ROOT qμ with μ̂ ≥ 0).
   */
  readonly poiBounds?: PoiBoundsMode;
  /**
   * Opt-in speed-up of profiles along μ (the limit search): a number ρ > 1 runs the cold start
   * (the suggested point) only once per factor ρ of μ and continues warm in between (see
   * {@link HistFactoryBackend.profileColdStartRange}). Default: undefined, every fit of a profile
   * runs the full deterministic multi-start (nearest earlier fit, suggested point), which is what
   * issue #9 asks of every profile a test statistic uses.
   */
  readonly profileColdStartRange?: number;
  /**
   * A start point for every fit, e.g. a neighbouring signal point's best fit (see
   * {@link WarmStartOption}): by default one more start of each multi-start; with
   * `mode: "replace"` (opt-in speed-up) it replaces the cold start from the suggested point.
   */
  readonly warmStart?: WarmStartOption;
}

function checkColdStartRange(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (isFiniteNumber(value) && (value as number) >= 1) return value as number;
  throw new InvalidInput(
    `profileColdStartRange must be a finite number ≥ 1 (e.g. 2) or omitted for cold starts at every μ; got ${describeValue(value)}.`,
  );
}

function checkPoiBounds(value: unknown): PoiBoundsMode {
  if (value === undefined || value === null) return "spey-pyhf";
  if (value === "spey-pyhf" || value === "measurement") return value;
  throw new InvalidInput(`poiBounds must be "spey-pyhf" or "measurement"; got ${describeValue(value)}.`);
}

/** Shared machinery: a compiled {@link HistFactoryModel} exposed through the plug-in contract. */
export abstract class HistFactoryBackend extends BackendBase {
  /** The workspace the model was built from (signal patch applied). */
  declare readonly workspace: Workspace;
  declare readonly model: HistFactoryModel;
  /** Main data under "apriori": the background-only expectation at the suggested initial point. */
  declare readonly backgroundData: Float64Array;
  /** −min_b background_b/signal_b over bins with signal (−Infinity without signal). */
  declare readonly minimumPoi: number;
  declare readonly poiBoundsMode: PoiBoundsMode;
  readonly #coldStartRange: number | undefined;
  /** The caller's `warmStart`, resolved to a full parameter vector. */
  declare readonly warmStart: ResolvedWarmStart | undefined;
  readonly #configs = new Map<string, ModelConfig>();

  protected constructor(workspace: Workspace, model: HistFactoryModel, options: HistFactoryBackendOptions) {
    super();
    if (model.suggestedFixed[model.poiIndex]) {
      // pyhf's hypothesis tests refuse such a model (`InvalidModel`: "POI at index [i] is set as
      // fixed, which makes inference impossible"); a silent fit at the fixed value would report
      // CLs of a hypothesis that was never tested.
      const m = max(0, workspace.measurementNames.indexOf(model.measurement.name));
      const index = model.measurement.config.parameters.findIndex((p) => p.name === model.poiName);
      throw new WorkspaceError(
        index >= 0 ? ["measurements", m, "config", "parameters", index, "fixed"] : ["measurements", m, "config", "poi"],
        `the parameter of interest "${model.poiName}" (index ${model.poiIndex}) is set as fixed, which makes inference impossible; remove "fixed": true from its parameter configuration in the measurement.`,
      );
    }
    this.workspace = workspace;
    this.model = model;
    this.poiBoundsMode = checkPoiBounds(options.poiBounds);
    this.#coldStartRange = checkColdStartRange(options.profileColdStartRange);
    this.warmStart = resolveWarmStart(options.warmStart, model);
    const init = copyOf(model.suggestedInit);
    init[model.poiIndex] = 0;
    this.backgroundData = model.expectedMain(init);
    this.minimumPoi = physicalMinimumPoi(model.poiSignal, model.poiBackground);
  }

  override get isAlive(): boolean {
    return this.model.poiSignal.some((s) => s > 0);
  }

  /**
   * The caller's `profileColdStartRange` (opt-in; undefined by default, so every fit of a profile
   * runs every start). With ρ = 2, profiles along μ run the cold start once per factor 2 of μ: a
   * cold fit costs 9–30 Newton iterations with a Fisher phase, a warm continuation 1–8; on the
   * benchmark workspaces (20–246 parameters), the pyhf validation workspaces and 60 HEPData-style
   * patches every cold start inside such a range ended in the warm continuation's minimum, and the
   * limits agree with cold starts at every μ to ~1e-14 — a measurement, not a proof, hence opt-in.
   * The free fits, the Asimov fits and the first μ of every profile keep all starts; a warm fit that
   * does not converge falls back to them; a conditional NLL below the free one still throws.
   */
  override profileColdStartRange(): number | undefined {
    // A replacing warm start continues profiles warm without limit (cold where a warm fit fails).
    if (this.#coldStartRange === undefined && this.warmStart?.mode === "replace") return Number.POSITIVE_INFINITY;
    return this.#coldStartRange;
  }

  /** The caller's `warmStart` point as one more start of every fit (its default mode "add"). */
  override nominalParameters(): Float64Array | undefined {
    const start = this.warmStart?.mode === "add" ? this.warmStart.parameters : undefined;
    return start ? copyOf(start) : undefined;
  }

  /** The measurement's bounds of the POI (pyhf's `suggested_bounds()[poi_index]`). */
  get measurementPoiBounds(): readonly [number, number] {
    return this.model.suggestedBounds[this.model.poiIndex] as readonly [number, number];
  }

  config(options: ConfigOptions = {}): ModelConfig {
    const allow = options.allowNegativeSignal ?? true;
    const [measurementLower, measurementUpper] = this.measurementPoiBounds;
    const upper = options.poiUpperBound ?? measurementUpper;
    const key = `${allow}|${upper}`;
    const cached = this.#configs.get(key);
    if (cached) return cached;
    const speyPyhf = this.poiBoundsMode === "spey-pyhf";
    let lower = speyPyhf
      ? allow
        ? max(this.minimumPoi, -10)
        : 0
      : allow
        ? measurementLower
        : max(0, measurementLower);
    lower = min(lower, upper);
    const bounds = this.model.suggestedBounds.map((b) => [b[0], b[1]] as [number, number]);
    bounds[this.model.poiIndex] = [lower, upper];
    const config = new ModelConfig({
      poiIndex: this.model.poiIndex,
      minimumPoi: speyPyhf ? this.minimumPoi : measurementLower,
      suggestedInit: this.model.suggestedInit,
      suggestedBounds: bounds,
      parameterNames: this.model.parameterNames,
      suggestedFixed: this.model.suggestedFixed,
    });
    this.#configs.set(key, config);
    return config;
  }

  /** The data of a likelihood request: explicit data, the background ("apriori") or the observations. */
  protected dataOf(options?: LikelihoodOptions): ModelData {
    const { main, aux } = selectData(options, this.model.observed, this.backgroundData, this.model.nAux);
    return { main, aux: aux ?? this.model.auxdata };
  }

  getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction {
    const evaluator = this.model.evaluator(this.dataOf(options));
    return (pars) => evaluator.logpdf(pars);
  }

  override getObjectiveFunction(options?: LikelihoodOptions): ObjectiveFunction {
    const evaluator = this.model.evaluator(this.dataOf(options));
    return (pars, grad) => evaluator.nll(pars, grad);
  }

  override getHessianLogpdfFunc(options?: LikelihoodOptions): HessianFunction {
    const evaluator = this.model.evaluator(this.dataOf(options));
    return (pars) => {
      const h = evaluator.nllHessian(pars);
      for (let i = 0; i < h.length; i++) h[i] = -(h[i] as number);
      return h;
    };
  }

  /** pyhf's `expected_data(pars, include_auxdata)`: main bins, then the auxiliary data in `auxdata_order`. */
  override expectedData(pars: Parameters, options?: ExpectedDataOptions): Float64Array {
    return options?.includeAuxiliary === false ? this.model.expectedMain(pars) : this.model.expectedData(pars);
  }

  override getSampler(pars: Parameters): Sampler {
    const at = copyOf(pars);
    return (size, rng) => Array.from({ length: size }, () => this.model.sample(at, rng));
  }

  /** The fit hook: conditional fits (POI fixed) and free fits through the two fits below. */
  override bestFit(request: FitHookRequest): FastPathResult | undefined {
    return request.fixed.has(this.config().poiIndex)
      ? this.negativeLoglikelihood(request)
      : this.minimizeNegativeLoglikelihood({ ...request, allowNegativeSignal: request.allowNegativeSignal ?? true });
  }

  /**
   * Fast path of conditional fits started from the suggested point (the core's generic fit is used
   * when a start or bounds are given): see {@link fit}.
   */
  negativeLoglikelihood(options: FastPathConditionalOptions): FastPathResult | undefined {
    return this.fit(options, options.fixed, this.config());
  }

  /** Fast path of free fits (μ ≥ 0 unless negative signals are allowed): see {@link fit}. */
  minimizeNegativeLoglikelihood(options: FastPathFreeOptions): FastPathResult | undefined {
    return this.fit(options, options.fixed, this.config({ allowNegativeSignal: options.allowNegativeSignal }));
  }

  /**
   * Minimise −log L from the suggested point (or `initPars`) with the core's projected Newton
   * method, given a Hessian that is the exact one where it is positive definite on the free
   * parameters and the expected (Fisher) information elsewhere. Far from the optimum, products of
   * scale factors (normfactor × lumi × …) make the exact Hessian indefinite and a shifted Newton
   * step crawls; the Fisher information keeps the steps Gauss–Newton-like there (9–30 iterations
   * instead of 30–160 on an 86–286-parameter model), and near the optimum the exact Hessian gives
   * quadratic convergence. When the start has a negative expected yield in a bin with observed
   * events (log L undefined, e.g. μ fixed far below μ_min), a feasible start is found first by
   * minimising the squared shortfall of the expected yields over the free parameters; returns
   * `undefined` (the core's generic fit, which then reports the failure) when there is none.
   *
   * A fit cannot fail silently ({@link checkedFit}): non-convergence, and for free fits a μ̂ left at
   * its start value or on a bound of μ, trigger checks and recoveries — an independent conditional
   * fit at μ̂ from the suggested point (HistFactory likelihoods have several minima when histosys
   * interpolation or products of normalisations bend them; a conditional NLL below the free one
   * proves the free fit wrong, and the free fit is restarted from the better point), projected
   * BFGS (immune to the Levenberg shift that freezes a weakly constrained μ in a near-singular
   * Newton system), and the exact Hessian from a cold start. Among converged candidates the lowest
   * NLL wins; when none converged, the result says so (`converged: false`) and the model's fit
   * throws ConvergenceError naming the fit (fit/convergence.ts) instead of using a number.
   */
  readonly #hessianSlots = new WeakMap<object, HessianSlot>();
  #work: FitWork | undefined;
  private readonly expectationSlots = new Map<string, HessianSlot>();

  /** The Hessian slot of a data set: explicit data by identity, else the expectation type. */
  #hessianSlot(options: LikelihoodOptions): HessianSlot {
    const data = options.data as unknown;
    if (typeof data === "object" && data !== null) {
      let slot = this.#hessianSlots.get(data);
      if (!slot) {
        slot = { cold: [] };
        this.#hessianSlots.set(data, slot);
      }
      return slot;
    }
    const key = String(options.expected ?? "observed");
    let slot = this.expectationSlots.get(key);
    if (!slot) {
      slot = { cold: [] };
      this.expectationSlots.set(key, slot);
    }
    return slot;
  }

  protected fit(
    options: LikelihoodOptions & { initPars?: Float64Array | undefined; optimiser?: MinimizeOptions | undefined },
    fixedValues: ReadonlyMap<number, number>,
    config: ModelConfig,
  ): FastPathResult | undefined {
    const n = config.npar;
    const suggested = copyOf(config.suggestedInit);
    const x0 = copyOf(options.initPars?.length === n ? options.initPars : suggested);
    const fixed = new Array<boolean>(n).fill(false);
    config.suggestedFixed?.forEach((f, i) => {
      fixed[i] = f;
    });
    for (const [i, v] of fixedValues) {
      if (!isInteger(i) || i < 0 || i >= n) return undefined;
      x0[i] = v;
      suggested[i] = v;
      fixed[i] = true;
    }
    const evaluator = this.model.evaluator(this.dataOf(options));
    if (fixed.every(Boolean)) return { nll: evaluator.nll(x0), parameters: x0 };
    const lower = config.suggestedBounds.map((b) => b[0]);
    const upper = config.suggestedBounds.map((b) => b[1]);
    this.#work ??= {
      factoriser: new BlockArrowCholesky(n, this.model.hessianBlocks()),
      hessian: zeros(n * n),
      // Fisher scoring steps through the factored information when the bins are few (fisher.ts).
      fisher: 2 * this.model.nMain <= n ? new FisherFactoriser(n, this.model.nMain) : undefined,
    };
    const problem: FitProblem = {
      evaluator,
      work: this.#work,
      lower,
      upper,
      fixed,
      optimiser: options.optimiser,
      hessianSlot: this.#hessianSlot(options),
    };
    // A start at the suggested point (the multi-start's cold start, fit/fit.ts, passes it as
    // initPars) is a cold start whatever the caller calls it: Fisher scoring first ("hybrid"). The
    // exact Hessian from there ("warm") needs ~10 shifted Newton steps instead of ~6.
    const cold = !options.initPars || x0.every((v, i) => v === suggested[i]);
    // The cold run from the suggested point is asked for twice when a warm start gives up (below)
    // and the multi-start then tries the suggested point: one run, kept (see coldRunFromSuggested).
    const coldRun = () => coldRunFromSuggested(problem, suggested);
    let start = x0;
    // A replacing warm start (opt-in): the cold start runs from the caller's point instead, warm;
    // the cold start itself only when that run does not converge.
    const replacement = this.warmStart?.mode === "replace" ? this.warmStart.parameters : undefined;
    const replaced = cold && replacement !== undefined;
    if (replacement && replaced) {
      start = copyOf(replacement);
      for (const [i, v] of fixedValues) start[i] = v;
    }
    let primary = cold && !replaced ? coldRun() : runFit(problem, start, "warm", WARM_ITERATIONS);
    if (replaced && !primary?.converged) {
      start = suggested;
      primary = coldRun() ?? primary;
    } else if (!cold && primary !== undefined && !primary.converged && primary.iterations >= WARM_ITERATIONS) {
      // A warm start that has not converged in WARM_ITERATIONS is not near this optimum (μ moved by
      // several σ, e.g. a limit search's persistence check at 10× the limit): on a 246-parameter
      // model such starts took 230 to 500+ iterations where the cold start takes 13–30. The fit
      // continues from the suggested point instead of the recoveries of an unconverged fit.
      start = suggested;
      primary = coldRun() ?? primary;
    }
    if (primary === undefined) return undefined;
    const poi = config.poiIndex;
    const freePoi = !fixed[poi] && (lower[poi] as number) < (upper[poi] as number);
    const result = checkedFit(problem, primary, { poi: freePoi ? poi : -1, start, suggested });
    this.#checkAgainstFreeFit(problem.hessianSlot, fixedValues, poi, freePoi, lower, upper, result);
    return result.converged
      ? { nll: result.nll, parameters: result.x }
      : { nll: result.nll, parameters: result.x, converged: false, message: result.message };
  }

  /**
   * The free fit's NLL is a lower bound of every conditional NLL on the same data with μ inside the
   * free fit's bounds (the same other fixed parameters): the conditional problem is the free one
   * restricted. The last free fit per data set is remembered; a conditional fit below it proves
   * that the free fit stopped in a local minimum, and every test statistic built on it would be
   * wrong, so {@link ConvergenceError} is thrown rather than a number returned.
   */
  #checkAgainstFreeFit(
    slot: HessianSlot | undefined,
    fixedValues: ReadonlyMap<number, number>,
    poi: number,
    freePoi: boolean,
    lower: readonly number[],
    upper: readonly number[],
    result: FitAttempt,
  ): void {
    if (!slot) return;
    const others = [...fixedValues].filter(([i]) => i !== poi).sort((a, b) => a[0] - b[0]);
    const key = stringify(others);
    if (freePoi) {
      slot.free = {
        nll: result.nll,
        mu: result.x[poi] as number,
        lower: lower[poi] as number,
        upper: upper[poi] as number,
        key,
      };
      return;
    }
    const free = slot.free;
    const mu = fixedValues.get(poi);
    if (!free || mu === undefined || free.key !== key || mu < free.lower || mu > free.upper) return;
    if (result.nll < free.nll - FREE_FIT_TOLERANCE * max(1, abs(free.nll))) {
      throw new ConvergenceError(
        `the free fit (NLL ${free.nll} at μ̂ = ${free.mu}) is above the conditional fit at μ = ${mu} (NLL ${result.nll}) on the same data: the free fit stopped in a local minimum, so the test statistics built on it would be wrong. Pass optimiser settings or start points (initPars) to the free fit.`,
      );
    }
  }
}

/** A conditional NLL this far (relative to max(1, |NLL|)) below the free one is an inconsistency. */
const FREE_FIT_TOLERANCE = 1e-6;

/**
 * Work arrays of {@link runFit}, kept per backend between fits (allocating the n×n Hessian per fit,
 * ≈ 65 fits per limit with its band, made garbage collection ~15% of the time): the Hessian, and
 * the factoriser of the model's Hessians through their block-arrow pattern
 * (HistFactoryModel.hessianBlocks: the one-bin parameters such as staterror γ's are eliminated by
 * a Schur complement), used by the positive-definiteness test and the minimiser's Newton systems
 * in turn. Fits run one at a time per backend (no fit calls another while its minimiser runs).
 */
interface FitWork {
  readonly factoriser: BlockArrowCholesky;
  readonly hessian: Float64Array;
  /** The Fisher information's systems in factored form (models with few bins: see fisher.ts). */
  readonly fisher: FisherFactoriser | undefined;
}

/** What {@link runFit} needs: the likelihood on fixed data, the box, the fixed mask, the settings. */
interface FitProblem {
  readonly evaluator: LikelihoodEvaluator;
  readonly work: FitWork;
  /** Per-data state kept between fits: see {@link HessianSlot}. */
  readonly hessianSlot?: HessianSlot;
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly fixed: readonly boolean[];
  readonly optimiser: MinimizeOptions | undefined;
}

/** What is kept per data set between fits (cold runs, the last free fit). */
interface HessianSlot {
  /** The last few cold runs from the suggested point on this data (see {@link coldRunFromSuggested}). */
  cold: { key: string; attempt: FitAttempt | undefined }[];
  /** The last free fit on this data (see {@link HistFactoryBackend.checkAgainstFreeFit}). */
  free?: { nll: number; mu: number; lower: number; upper: number; key: string };
}

/** One fit's outcome. */
interface FitAttempt {
  readonly nll: number;
  readonly x: Float64Array;
  readonly converged: boolean;
  readonly message: string;
  /** Iterations of the minimiser. */
  readonly iterations: number;
}

/** Iterations a warm fit gets before the fit restarts cold (warm fits take 1–10 when near). */
const WARM_ITERATIONS = 40;

/**
 * How a fit's Hessian is chosen: "hybrid" (cold start: Fisher information for the first steps,
 * then the exact Hessian where positive definite), "warm" (the latter at once), "exact" (the exact
 * Hessian throughout, shifted by the minimiser where indefinite), "bfgs" (no Hessian).
 */
type FitMode = "hybrid" | "warm" | "exact" | "bfgs";

/** How many cold runs a slot keeps (the fit's own and the free-fit probe's, per data set). */
const COLD_RUNS_KEPT = 4;

/**
 * The cold ("hybrid") run from `start`, which is the suggested point with the problem's fixed
 * values applied. That run is a pure function of the data, the fixed values, the bounds and the
 * settings, and the same one is asked for several times in a row (a warm start that gives up and
 * then the multi-start's cold start; the free-fit probe at a μ̂ on a bound for each start of the
 * multi-start): the last few are kept per data slot and returned again, which changes no result.
 */
function coldRunFromSuggested(problem: FitProblem, start: Float64Array): FitAttempt | undefined {
  const slot = problem.hessianSlot;
  if (!slot) return runFit(problem, start, "hybrid");
  let key = "";
  for (let i = 0; i < start.length; i++) {
    if (problem.fixed[i]) key += `${i}:${Object.is(start[i], -0) ? "-0" : start[i]};`;
  }
  key += `|${problem.lower.join()}|${problem.upper.join()}|${stringify(problem.optimiser ?? null)}`;
  const kept = slot.cold.find((c) => c.key === key);
  if (kept) return kept.attempt;
  const attempt = runFit(problem, start, "hybrid");
  slot.cold.push({ key, attempt });
  if (slot.cold.length > COLD_RUNS_KEPT) slot.cold.shift();
  return attempt;
}

/** One minimisation of −log L from `x0`; `undefined` when no feasible start exists. */
function runFit(problem: FitProblem, x0: Float64Array, mode: FitMode, maxIterations?: number): FitAttempt | undefined {
  const { evaluator, lower, upper, fixed } = problem;
  const n = x0.length;
  let start: Float64Array = x0;
  if (!isFiniteNumber(evaluator.nll(x0))) {
    const phase1 = minimize(
      { objective: (x, grad) => evaluator.infeasibility(x, grad), x0, lower, upper, fixed },
      { method: "bfgs", gradientTolerance: 1e-14, maxIterations: 1000 },
    );
    if (!(evaluator.infeasibility(phase1.x) === 0 && isFiniteNumber(evaluator.nll(phase1.x)))) return undefined;
    start = phase1.x;
  }
  const free: number[] = [];
  for (let i = 0; i < n; i++) if (!fixed[i] && (lower[i] as number) < (upper[i] as number)) free.push(i);
  const m = free.length;
  const buffer = problem.work.hessian;
  const inner = new Int32Array(m);
  const definiteness = problem.work.factoriser;
  let calls = 0;
  let exactWasDefinite = false;
  // Cold starts: Fisher scoring for the first steps, then the exact Hessian where it is positive
  // definite on the free parameters (tested by a Cholesky factorisation), Fisher otherwise. Warm
  // starts (the optimum of another μ, e.g. along a profile) test the exact Hessian from the first
  // step: a jump of μ by several σ (the first points of a limit search, its persistence checks)
  // leaves them where it is indefinite, and the minimiser's shifted steps then crawl (22 instead of
  // 7 iterations at 96 parameters). "exact" uses the exact Hessian throughout and leaves indefinite
  // cases to the minimiser's shift.
  // (Warm fits used to take a neighbouring μ's last Hessian as their first Newton matrix, a chord
  // step: on the 246-parameter limitSummary it saved 12 of 762 Hessians and no measurable time, for
  // a copy of an n×n matrix per warm fit; removed.)
  // The Fisher information: with few bins (2·bins ≤ free parameters) in factored form, solved by
  // the FisherFactoriser (only the diagonal is written into the buffer, which the minimiser reads
  // for its scaled gradient steps), else as a dense matrix like the exact Hessian.
  const fisher = problem.work.fisher !== undefined && 2 * evaluator.main.length <= m ? problem.work.fisher : undefined;
  let factored = false;
  const fisherInformation = (x: Float64Array): Float64Array => {
    if (!fisher) return evaluator.nllHessian(x, buffer, true);
    evaluator.fisherFactors(x, fisher.v, fisher.d);
    fisher.writeDiagonal(buffer);
    factored = true;
    return buffer;
  };
  const exact = (x: Float64Array): Float64Array => {
    factored = false;
    return evaluator.nllHessian(x, buffer);
  };
  // The minimiser's factoriser: the FisherFactoriser for a factored Fisher information, the
  // block-arrow Cholesky otherwise (and the solve of whichever factored last).
  let solver: HessianFactoriser = problem.work.factoriser;
  const factoriser: HessianFactoriser = {
    factorWithShift: (h, idx, size, attempts, shiftStart) => {
      solver = factored && fisher ? fisher : problem.work.factoriser;
      return solver.factorWithShift(h, idx, size, attempts, shiftStart);
    },
    solveInPlace: (x) => solver.solveInPlace(x),
  };
  const hessian =
    mode === "exact"
      ? exact
      : (x: Float64Array): Float64Array => {
          if (mode === "hybrid" && calls++ < 4) return fisherInformation(x);
          const h = exact(x);
          // Once the exact Hessian was positive definite the iterate is in the optimum's basin:
          // from then on the minimiser's shifted factorisation handles the rare indefinite case,
          // and the test (a second factorisation per iteration) is skipped.
          if (exactWasDefinite) return h;
          // Positive definiteness matters on the parameters strictly inside their bounds, the
          // ones the projected Newton step moves: one resting on a bound must not force Fisher
          // scoring (linear convergence) for the rest of the fit.
          let k = 0;
          for (const i of free)
            if ((x[i] as number) > (lower[i] as number) && (x[i] as number) < (upper[i] as number)) inner[k++] = i;
          if (!definiteness.factor(h, inner, k, 0, 0)) return fisherInformation(x);
          exactWasDefinite = true;
          return h;
        };
  const settings: MinimizeOptions = {
    ...problem.optimiser,
    ...(mode === "bfgs" ? { method: "bfgs" } : {}),
    ...(maxIterations !== undefined
      ? { maxIterations: min(maxIterations, problem.optimiser?.maxIterations ?? maxIterations) }
      : {}),
  };
  const result = minimize(
    {
      objective: (x, grad) => evaluator.nll(x, grad),
      // Normalisations have curvatures ~1e4 where constrained nuisances have ~1: shifts of an
      // indefinite Hessian start at the small end (a warm fit crawled 40+ iterations otherwise).
      ...(mode === "bfgs"
        ? {}
        : {
            hessian,
            shiftStart: "smallest-diagonal" as const,
            hessianFactoriser: factoriser,
          }),
      x0: start,
      lower,
      upper,
      fixed,
    },
    settings,
  );
  return {
    nll: evaluator.nll(result.x),
    x: result.x,
    converged: result.converged,
    message: result.message,
    iterations: result.iterations,
  };
}

/** NLL differences below this (relative to max(1, |NLL|)) are rounding, not a better minimum. */
const NLL_TOLERANCE = 1e-7;

function better(a: FitAttempt, b: FitAttempt): boolean {
  return a.nll < b.nll - NLL_TOLERANCE * max(1, abs(b.nll));
}

/**
 * Detection of fits that did not do their job, and recovery (see {@link HistFactoryBackend.fit}):
 * `where.poi` is the index of a free POI (−1 in conditional fits), `where.start` the point the
 * primary fit started from, `where.suggested` the suggested point with the fixed values applied.
 */
function checkedFit(
  problem: FitProblem,
  primary: FitAttempt,
  where: { poi: number; start: Float64Array; suggested: Float64Array },
): FitAttempt {
  const { poi, start, suggested } = where;
  const { lower, upper, fixed } = problem;
  let best = primary;
  const consider = (candidate: FitAttempt | undefined) => {
    if (!candidate || !isFiniteNumber(candidate.nll)) return;
    if (
      (candidate.converged && !best.converged) ||
      (candidate.converged === best.converged && better(candidate, best))
    ) {
      best = candidate;
    }
  };
  if (poi >= 0) {
    const mu = primary.x[poi] as number;
    const span = max(1, (upper[poi] as number) - (lower[poi] as number));
    const pinned = mu === start[poi];
    const atBound = mu - (lower[poi] as number) <= 1e-9 * span || (upper[poi] as number) - mu <= 1e-9 * span;
    if (pinned || atBound || !primary.converged) {
      // An independent conditional fit at μ̂ from the suggested point: if it is lower, the free
      // fit stopped in a worse basin (or did not move); continue the free fit from there.
      const probeStart = copyOf(suggested);
      probeStart[poi] = mu;
      const probeFixed = fixed.slice();
      probeFixed[poi] = true;
      // (The multi-start asks this of every start of a free fit that ends at the same μ̂, e.g. a
      // bound: one run, kept.)
      const probe = coldRunFromSuggested({ ...problem, fixed: probeFixed }, probeStart);
      if (probe && better(probe, best)) {
        logDebug(
          `HistFactory free fit: the conditional fit at μ = ${mu} is lower (${probe.nll} < ${best.nll}); restarting the free fit from it.`,
        );
        consider(runFit(problem, probe.x, "warm"));
        if (better(probe, best)) consider(runFit(problem, probe.x, "bfgs"));
      }
    }
  }
  if (!best.converged) {
    logDebug(`HistFactory fit did not converge (${best.message}); retrying with BFGS and a cold exact-Hessian start.`);
    consider(runFit(problem, best.x, "bfgs"));
    if (!best.converged) consider(runFit(problem, copyOf(suggested), "exact"));
    if (!best.converged) consider(runFit(problem, copyOf(suggested), "bfgs"));
  }
  // Still not converged: reported to the caller, whose fit throws ConvergenceError naming the
  // fit (fit/convergence.ts; with `allowUnconverged` a warning) — never used silently.
  return best;
}

/** Arguments of the `pyhf` backend (spey-pyhf's, camelCased, plus our options). */
export interface PyhfArgs extends HistFactoryBackendOptions {
  /** The background-only workspace: a specification object, a {@link Workspace}, or a file path. */
  readonly backgroundOnlyModel: WorkspaceSpec | Workspace | string;
  /** JSON Patch adding the signal (spey-pyhf's `signal_patch`); empty when the workspace holds it. */
  readonly signalPatch?: JsonPatch | null;
  /** Interpolation codes; default `{normsys: {interpcode: "code4"}, histosys: {interpcode: "code4p"}}`. */
  readonly modifierSettings?: ModifierSettings;
  /** Measurement to use: name or index (default the first). */
  readonly measurement?: string | number;
}

/** The `author` of the HistFactory backends and converter. */
export const HISTFACTORY_AUTHOR = "SpeysideHEP (native TypeScript HistFactory)";

/**
 * `pyhf`: a full HistFactory likelihood from a pyhf workspace and a signal patch.
 *
 * @example
 * const model = getBackend("pyhf")({ backgroundOnlyModel: workspace, signalPatch: patch });
 * model.exclusionConfidenceLevel(); // [1 − CLs]
 * // ROOT / pyhf validation conventions (qμ with μ̂ ≥ 0, HistFactory's interpolation codes):
 * getBackend("pyhf")({ backgroundOnlyModel: ws, signalPatch: [], poiBounds: "measurement",
 *   modifierSettings: { normsys: { interpcode: "code1" }, histosys: { interpcode: "code0" } } })
 *   .exclusionConfidenceLevel({ allowNegativeSignal: true, expected: "all" });
 */
export class PyhfBackend extends HistFactoryBackend {
  static override name = "pyhf";
  static override version = VERSION;
  static override author = HISTFACTORY_AUTHOR;
  static override speyRequires = `>=${VERSION}`;
  static override doi = ["10.5281/zenodo.1169739", "10.21105/joss.02823"] as const;

  /** The workspace before the signal patch. */
  declare readonly backgroundOnlyWorkspace: Workspace;
  declare readonly signalPatch: JsonPatch;
  declare readonly modifierSettings: ReturnType<typeof resolveModifierSettings>;
  declare readonly measurementSelection: string | number | undefined;

  constructor(args: PyhfArgs) {
    if (!args || typeof args !== "object") throw new InvalidInput("pyhf backend arguments must be an object.");
    if (args.backgroundOnlyModel === undefined || args.backgroundOnlyModel === null) {
      throw new InvalidInput(
        "backgroundOnlyModel is required: a pyhf workspace object {channels, observations, measurements, version} or the path of its JSON file.",
      );
    }
    const backgroundOnly = Workspace.from(args.backgroundOnlyModel);
    const patch =
      args.signalPatch === undefined || args.signalPatch === null
        ? []
        : validateJsonPatch(args.signalPatch, "signalPatch");
    const settings = resolveModifierSettings(args.modifierSettings);
    const selection = args.measurement;
    if (selection !== undefined && typeof selection !== "string" && !isInteger(selection)) {
      throw new InvalidInput(`measurement must be a measurement name or index; got ${describeValue(selection)}.`);
    }
    const workspace = patch.length > 0 ? backgroundOnly.patch(patch, "signalPatch") : backgroundOnly;
    const model = workspace.model({
      measurementName: typeof selection === "string" ? selection : undefined,
      measurementIndex: typeof selection === "number" ? selection : undefined,
      modifierSettings: modifierSettingsOf(settings),
    });
    super(workspace, model, args);
    this.backgroundOnlyWorkspace = backgroundOnly;
    this.signalPatch = patch;
    this.modifierSettings = settings;
    this.measurementSelection = selection;
  }

  /**
   * Combine with another `pyhf` backend (spey-pyhf's `combine`): the two signal-patched workspaces
   * are combined with pyhf's `Workspace.combine` (`join`, `mergeChannels`), and the model uses the
   * first measurement of the combination (this model's). With `updateMeasurements` (default true)
   * a measurement name of `other` that collides with one of this model's gets "_updated" appended,
   * as spey-pyhf does; pass `join: "outer"` to merge same-named measurements instead.
   */
  override combine(other: BackendBase, options: Record<string, unknown> = {}): PyhfBackend {
    if (!(other instanceof PyhfBackend)) {
      throw new InvalidInput(
        `pyhf models combine only with pyhf models; got ${(other.constructor as { name?: string }).name}.`,
      );
    }
    const { join, mergeChannels, updateMeasurements, ...rest } = options as {
      join?: JoinOperation;
      mergeChannels?: boolean;
      updateMeasurements?: boolean;
    };
    if (Object.keys(rest).length > 0) {
      throw new InvalidInput(
        `unknown combine option(s): ${Object.keys(rest).join(", ")} (use join, mergeChannels, updateMeasurements).`,
      );
    }
    let right = other.workspace;
    if (updateMeasurements ?? true) {
      const names = new Set(this.workspace.measurementNames);
      const renames: Record<string, string> = {};
      for (const name of right.measurementNames) if (names.has(name)) renames[name] = `${name}_updated`;
      if (Object.keys(renames).length > 0) {
        logWarning(
          `Measurement names are identical; the other model's measurement(s) ${Object.keys(renames).join(", ")} are renamed with "_updated" (pass updateMeasurements: false to keep them).`,
        );
        right = right.rename({ measurements: renames });
      }
    }
    const combined = Workspace.combine(this.workspace, right, { join, mergeChannels });
    return new PyhfBackend({
      backgroundOnlyModel: combined,
      signalPatch: [],
      modifierSettings: modifierSettingsOf(this.modifierSettings),
      poiBounds: this.poiBoundsMode,
    });
  }
}

/** Arguments of `pyhf.uncorrelated_background` (spey-pyhf's, camelCased). */
export interface UncorrelatedBackgroundArgs extends HistFactoryBackendOptions {
  readonly signalYields: ArrayLike<number>;
  readonly backgroundYields: ArrayLike<number>;
  readonly data: ArrayLike<number>;
  /** Absolute background uncertainties, one per bin (pyhf's `bkg_uncertainty`). */
  readonly absoluteUncertainties: ArrayLike<number>;
}

/** pyhf's `simplemodels.uncorrelated_background` workspace for the given yields. */
export function uncorrelatedBackgroundWorkspace(
  signal: ArrayLike<number>,
  background: ArrayLike<number>,
  uncertainty: ArrayLike<number>,
  data: ArrayLike<number>,
): WorkspaceSpec {
  return {
    channels: [
      {
        name: "singlechannel",
        samples: [
          { name: "signal", data: Array.from(signal), modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          {
            name: "background",
            data: Array.from(background),
            modifiers: [{ name: "uncorr_bkguncrt", type: "shapesys", data: Array.from(uncertainty) }],
          },
        ],
      },
    ],
    observations: [{ name: "singlechannel", data: Array.from(data) }],
    measurements: [{ name: "measurement", config: { poi: "mu", parameters: [] } }],
    version: "1.0.0",
  };
}

/**
 * `pyhf.uncorrelated_background`: signal s scaled by μ over a background b with per-bin
 * uncertainties δ, each bin's background scaled by a γ_b constrained by Pois(τ_b | γ_b τ_b),
 * τ_b = (b/δ)² (pyhf's `simplemodels.uncorrelated_background`, a shapesys model).
 */
export class UncorrelatedBackgroundBackend extends HistFactoryBackend {
  static override name = "pyhf.uncorrelated_background";
  static override version = VERSION;
  static override author = HISTFACTORY_AUTHOR;
  static override speyRequires = `>=${VERSION}`;
  static override doi = ["10.5281/zenodo.1169739", "10.21105/joss.02823"] as const;

  constructor(args: UncorrelatedBackgroundArgs) {
    if (!args || typeof args !== "object")
      throw new InvalidInput("pyhf.uncorrelated_background arguments must be an object.");
    const data = toFiniteVector(args.data, "data");
    const n = data.length;
    const signal = toFiniteVector(args.signalYields, "signalYields", { length: n });
    const background = toFiniteVector(args.backgroundYields, "backgroundYields", { length: n });
    const uncertainty = toFiniteVector(args.absoluteUncertainties, "absoluteUncertainties", { length: n });
    const workspace = new Workspace(uncorrelatedBackgroundWorkspace(signal, background, uncertainty, data));
    super(workspace, workspace.model(), args);
  }
}
