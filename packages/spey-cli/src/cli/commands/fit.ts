import type { Command } from "commander";
import { ComputationError, type StatisticalModel } from "spey";
import { fmt, table } from "../format.js";
import { oneOf } from "../options.js";
import { emitResult, load, type ModelOptions, modelCommand, withPatches } from "./common.js";

/** One fitted parameter. */
export interface FittedParameter {
  name: string;
  value: number;
  /** Hessian (observed Fisher information) uncertainty; null for fixed parameters and those on a bound. */
  uncertainty: number | null;
  bounds: [number, number];
  fixed: boolean;
  /** "lower"/"upper" when the best fit sits on that bound (no Hessian uncertainty then). */
  atBound?: "lower" | "upper";
  /** Constrained nuisance parameters: the constraint, its nominal value and width. */
  constraint?: { type: "normal" | "poisson"; nominal: number; width: number };
  /** (θ̂ − nominal)/width, and its uncertainty σ̂/width. */
  pull?: number;
  pullUncertainty?: number | null;
}

/** The output of `spey fit`. */
export interface FitOutput {
  model: string;
  backend: string;
  data: "observed" | "apriori";
  nll: number;
  poi: string;
  parameters: FittedParameter[];
  /** Correlation matrix of the parameters with an uncertainty, in `names` order. */
  correlation: { names: string[]; matrix: number[][] };
}

/** Constraint of each parameter where the model defines one (HistFactory sets, simplified θ and α). */
function constraintsOf(model: StatisticalModel, npar: number): (FittedParameter["constraint"] | undefined)[] {
  const out: (FittedParameter["constraint"] | undefined)[] = new Array(npar).fill(undefined);
  const backend = model.backend as unknown as {
    model?: {
      parameterSets?: readonly {
        constraint: string;
        offset: number;
        n: number;
        auxdata: readonly number[];
        sigmas: readonly number[];
        factors: readonly number[];
      }[];
    };
  };
  const sets = backend.model?.parameterSets;
  if (sets) {
    for (const set of sets) {
      for (let k = 0; k < set.n; k++) {
        if (set.constraint === "normal") {
          out[set.offset + k] = {
            type: "normal",
            nominal: set.auxdata[k] ?? 0,
            width: set.sigmas[k] ?? 1,
          };
        } else if (set.constraint === "poisson") {
          // γ with auxiliary count τ·γ ~ Pois(τ): nominal 1, width 1/√τ.
          const tau = set.factors[k] ?? 1;
          out[set.offset + k] = { type: "poisson", nominal: 1, width: 1 / Math.sqrt(tau) };
        }
      }
    }
    return out;
  }
  // The simplified likelihoods: parameters [μ, φ…, θ (one per bin)…, α…], θ and α unit Gaussians.
  const core = simplifiedLayout(model);
  if (core) {
    for (let i = core.thetaOffset; i < core.thetaOffset + core.nBins; i++)
      out[i] = { type: "normal", nominal: 0, width: 1 };
    for (let i = core.alphaOffset; i < core.alphaOffset + core.nAlpha; i++)
      out[i] = { type: "normal", nominal: 0, width: 1 };
  }
  return out;
}

/** The parameter layout of the simplified likelihoods (their shared machinery's `core`). */
function simplifiedLayout(
  model: StatisticalModel,
): { thetaOffset: number; nBins: number; alphaOffset: number; nAlpha: number } | undefined {
  const core = (model.backend as unknown as { core?: Record<string, unknown> }).core;
  if (!core) return undefined;
  const { thetaOffset, nBins, alphaOffset, nAlpha } = core;
  return [thetaOffset, nBins, alphaOffset, nAlpha].every((v) => typeof v === "number")
    ? ({ thetaOffset, nBins, alphaOffset, nAlpha } as {
        thetaOffset: number;
        nBins: number;
        alphaOffset: number;
        nAlpha: number;
      })
    : undefined;
}

/** Parameter names: the model's, or μ, φₖ, θᵢ, αₖ by position for the simplified likelihoods. */
export function namesOf(model: StatisticalModel, npar: number, poiIndex: number): string[] {
  const given = model.config().parameterNames;
  if (given && given.length === npar) return [...given];
  const core = simplifiedLayout(model);
  if (core) {
    return Array.from({ length: npar }, (_, i) =>
      i === poiIndex
        ? "mu"
        : i < core.thetaOffset
          ? `phi_${i - 1}`
          : i < core.thetaOffset + core.nBins
            ? `theta_${i - core.thetaOffset}`
            : `alpha_${i - core.alphaOffset}`,
    );
  }
  return Array.from({ length: npar }, (_, i) => (i === poiIndex ? "mu" : `par_${i}`));
}

/** Lower Cholesky factor of a symmetric matrix (row-major), or null when not positive definite. */
function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (l[j * n + k] as number) ** 2;
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Inverse of A = L Lᵀ from its Cholesky factor. */
function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    column.fill(0);
    column[c] = 1;
    for (let i = 0; i < n; i++) {
      let s = column[i] as number;
      for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (column[k] as number);
      column[i] = s / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = column[i] as number;
      for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (column[k] as number);
      column[i] = s / (l[i * n + i] as number);
    }
    for (let i = 0; i < n; i++) inv[i * n + c] = column[i] as number;
  }
  return inv;
}

/**
 * The maximum-likelihood fit of every parameter (μ free, negative values allowed) with Hessian
 * uncertainties: the covariance is the inverse of the observed Fisher information −∂² ln L at the
 * best fit (Cramér–Rao; pyhf's `fit` with `return_uncertainties`), over the parameters that are
 * neither fixed nor on a bound. Pulls (θ̂ − θ₀)/σ₀ of the constrained nuisance parameters.
 */
export function fitModel(model: StatisticalModel, source: string, data: "observed" | "apriori"): FitOutput {
  const config = model.config();
  const npar = config.suggestedInit.length;
  const all = Array.from({ length: npar }, (_, i) => i);
  const [best, nll] = model.maximizeLikelihood({ poiIndices: all, expected: data, allowNegativeSignal: true });
  const values = all.map((i) => best[String(i)] as number);
  if (!values.every(Number.isFinite) || !Number.isFinite(nll)) {
    throw new ComputationError(`${source}: the best fit is not finite (NLL ${nll}); the model cannot be fitted.`);
  }
  const bounds = all.map((i) => [...(config.suggestedBounds[i] ?? [-Infinity, Infinity])] as [number, number]);
  const fixed = all.map((i) => Boolean(config.suggestedFixed?.[i]));
  const atBound = all.map((i): "lower" | "upper" | undefined => {
    const [lo, hi] = bounds[i] as [number, number];
    const v = values[i] as number;
    const tolerance = 1e-8 * Math.max(1, Math.abs(v));
    if (Number.isFinite(lo) && v - lo <= tolerance) return "lower";
    if (Number.isFinite(hi) && hi - v <= tolerance) return "upper";
    return undefined;
  });
  const free = all.filter((i) => !fixed[i] && atBound[i] === undefined);
  const getHessian = model.backend.getHessianLogpdfFunc;
  if (typeof getHessian !== "function") {
    throw new ComputationError(`${source}: the ${model.backendType} backend has no Hessian, so no uncertainties.`);
  }
  const hessian = getHessian.call(model.backend, { expected: data })(Float64Array.from(values));
  const m = free.length;
  const information = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      information[a * m + b] = -(hessian[(free[a] as number) * npar + (free[b] as number)] as number);
    }
  }
  const factor = cholesky(information, m);
  if (!factor) {
    throw new ComputationError(
      `${source}: the information matrix −∂²ln L at the best fit is not positive definite, so the fit has no Hessian uncertainties (a flat or degenerate direction: check for parameters without effect).`,
    );
  }
  const covariance = inverseFromCholesky(factor, m);
  const sigma = new Map<number, number>();
  free.forEach((p, a) => sigma.set(p, Math.sqrt(covariance[a * m + a] as number)));
  const names = namesOf(model, npar, config.poiIndex);
  const constraints = constraintsOf(model, npar);
  const parameters = all.map((i): FittedParameter => {
    const uncertainty = sigma.get(i) ?? null;
    const out: FittedParameter = {
      name: names[i] as string,
      value: values[i] as number,
      uncertainty,
      bounds: bounds[i] as [number, number],
      fixed: fixed[i] as boolean,
    };
    const edge = atBound[i];
    if (edge !== undefined) out.atBound = edge;
    const constraint = constraints[i];
    if (constraint && !fixed[i]) {
      out.constraint = constraint;
      out.pull = ((values[i] as number) - constraint.nominal) / constraint.width;
      out.pullUncertainty = uncertainty === null ? null : uncertainty / constraint.width;
    }
    return out;
  });
  const matrix = free.map((_, a) =>
    free.map((__, b) => {
      const value =
        (covariance[a * m + b] as number) /
        Math.sqrt((covariance[a * m + a] as number) * (covariance[b * m + b] as number));
      return a === b ? 1 : Math.max(-1, Math.min(1, value));
    }),
  );
  return {
    model: source,
    backend: model.backendType,
    data,
    nll,
    poi: names[config.poiIndex] as string,
    parameters,
    correlation: { names: free.map((i) => names[i] as string), matrix },
  };
}

/** pyhf's `fit` JSON: best-fit values grouped by parameter set (`name[i]` entries joined), and the NLL. */
function pyhfFit(out: FitOutput) {
  const sets = new Map<string, number[]>();
  for (const p of out.parameters) {
    const match = /^(.*)\[(\d+)\]$/.exec(p.name);
    const key = match ? (match[1] as string) : p.name;
    const values = sets.get(key) ?? [];
    values.push(p.value);
    sets.set(key, values);
  }
  return { mle_parameters: Object.fromEntries(sets), nll: out.nll };
}

function fitTable(out: FitOutput): string {
  const rows = out.parameters.map((p) => [
    p.name,
    fmt(p.value),
    p.uncertainty === null ? (p.fixed ? "fixed" : `at ${p.atBound} bound`) : fmt(p.uncertainty),
    p.pull === undefined ? "" : fmt(p.pull),
    p.pullUncertainty === undefined || p.pullUncertainty === null ? "" : fmt(p.pullUncertainty),
  ]);
  const head = `${out.model} (${out.backend}): best fit to the ${out.data === "observed" ? "observed" : "pre-fit expected"} data, −ln L = ${fmt(out.nll)}`;
  const lines = [head, table(["parameter", "value", "uncertainty", "pull", "± pull"], rows)];
  const { names, matrix } = out.correlation;
  if (names.length > 1 && names.length <= 12) {
    lines.push(
      "",
      "correlation",
      table(
        ["", ...names],
        matrix.map((row, i) => [names[i] as string, ...row.map((v) => v.toFixed(3))]),
      ),
    );
  } else if (names.length > 12) {
    lines.push("", `correlation matrix of ${names.length} parameters: see --json`);
  }
  return lines.join("\n");
}

export function registerFit(program: Command): void {
  modelCommand(
    program
      .command("fit")
      .description(
        "maximum-likelihood fit: best-fit parameters with Hessian uncertainties, pulls of the constrained nuisance parameters, correlation matrix (as `pyhf fit`)",
      )
      .option(
        "--data <kind>",
        "fit the observed data, or the pre-fit expected (Asimov) data: observed or apriori",
        oneOf("--data", ["observed", "apriori"] as const),
        "observed",
      ),
    ["table", "json", "pyhf"],
  ).action(async (file: string, patches: string[], flags: ModelOptions & { data: "observed" | "apriori" }) => {
    const options = withPatches(patches, flags);
    const { model, source } = await load(file, options);
    const out = fitModel(model, source, options.data);
    emitResult(options, { json: () => out, pyhf: () => pyhfFit(out), table: () => fitTable(out) });
  });
}
