/**
 * HistFactory fits cannot fail silently. Regression for "μ̂ at the upper POI bound with a small
 * signal": a 74-parameter analysis (HEPData layout, histosys code 4p, normfactor × lumi products)
 * whose signal is ~1% of a background, with data well above the background, so that the best fit
 * sits at μ's upper bound 10. Started from the suggested point, the Fisher-scoring free fit used to
 * stop in another basin of the histosys nuisances, 0.5 NLL units above the conditional fit at μ = 10
 * (the "free" fit above a conditional one). The free fit must reach the bound with the lowest NLL,
 * and CLs must agree with an independent computation from a dense 1-D profile scan (cold
 * conditional fits) and the asymptotic formulae of arXiv:1007.1727 eqs. 65–66.
 */
import { describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../../bench/hepdata-analysis.js";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { ConvergenceError } from "../../../src/core/errors.js";
import { normCdf } from "../../../src/math/special.js";
import { Random } from "../../../src/math/random.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";

/** The analysis: a signal proportional to ttbar with a tilt, data = background + 25 × signal. */
function boundaryWorkspace(): WorkspaceSpec {
  const { bkgOnly } = hepdataAnalysis(new Random(1), { systematics: 50, masses: [300], lspMasses: [0] });
  const ws = structuredClone(bkgOnly);
  ws.channels.forEach((channel, c) => {
    const ttbar = (channel.samples[0] as { data: number[] }).data;
    const signal = ttbar.map((x, i) => 0.01 * x * (1 + (i - 1.5) / 1.5));
    channel.samples.push({
      name: "signal",
      data: signal,
      modifiers: [
        { name: "mu_SIG", type: "normfactor", data: null },
        { name: "lumi", type: "lumi", data: null },
      ],
    });
    const observation = ws.observations[c] as { data: number[] };
    observation.data = observation.data.map((n, i) => Math.round(n + 25 * (signal[i] as number)));
  });
  return ws;
}

const backend = new PyhfBackend({ backgroundOnlyModel: new Workspace(boundaryWorkspace()), signalPatch: [] });
const model = new StatisticalModel(backend);
const poi = backend.config().poiIndex;
const upper = backend.config().suggestedBounds[poi]?.[1] as number;

/**
 * Profile NLL at μ from independent conditional fits: the lowest of the cold fit (from the
 * suggested point) and fits started from `starts`. The histosys nuisances have several basins: at
 * μ = 0 the cold fit stops 1.4 NLL units above the fit continued from the free fit, so a profile
 * is only as good as its starts.
 */
function profile(mu: number, data?: Float64Array, starts: readonly number[][] = []): number {
  const on = data ? { data: Array.from(data) } : {};
  let best = model.likelihood({ poiTest: mu, ...on });
  for (const initPars of starts) best = Math.min(best, model.likelihood({ poiTest: mu, initPars, ...on }));
  return best;
}

/** min over a dense grid of μ ∈ [lo, hi] (step 0.25) of the profile: an independent global fit in μ. */
function denseMinimum(
  lo: number,
  hi: number,
  data?: Float64Array,
  starts: readonly number[][] = [],
): { mu: number; nll: number } {
  let best = { mu: Number.NaN, nll: Number.POSITIVE_INFINITY };
  for (let mu = lo; mu <= hi + 1e-12; mu += 0.25) {
    const nll = profile(mu, data, starts);
    if (nll < best.nll) best = { mu, nll };
  }
  return best;
}

/** 1 − CLs for q̃μ (arXiv:1007.1727 eqs. 65–66; CLb = P(q̃ ≥ q̃_obs | μ' = 0)). */
function oneMinusCls(qmu: number, qmuA: number): number {
  const sq = Math.sqrt(qmu);
  const sqA = Math.sqrt(qmuA);
  let clsb: number;
  let clb: number;
  if (qmu <= qmuA) {
    clsb = 1 - normCdf(sq);
    clb = normCdf(sqA - sq);
  } else {
    clsb = 1 - normCdf((qmu + qmuA) / (2 * sqA));
    clb = 1 - normCdf((qmu - qmuA) / (2 * sqA));
  }
  return 1 - clsb / clb;
}

describe("free fit with μ̂ on the upper POI bound (small signal)", () => {
  const free = model.maximizeLikelihood();
  const scan = denseMinimum(-10, upper);

  it("reaches the bound and is not above any conditional fit of the dense scan", () => {
    expect(free[0]).toBe(upper);
    expect(scan.mu).toBe(upper);
    // The scan's minimum is a conditional fit at the bound itself: equal NLLs up to the fits'
    // convergence tolerance (gradient 1e-9·√|f| ⇒ NLL error ≪ 1e-8).
    expect(free[1]).toBeLessThanOrEqual(scan.nll + 1e-8);
    expect(Math.abs(free[1] - scan.nll)).toBeLessThan(1e-8);
  });

  it("gives the CLs of the dense profile scan, above and below the bound", () => {
    // Asimov data at the μ = 0 background-only fit to the observations (the lower of the cold
    // conditional fit and the one started at the free fit) and its own dense scan; q̃μ uses
    // μ̂_A ≥ 0 (arXiv:1007.1727 eq. 16).
    const [, freeParameters] = model.likelihood({ poiTest: free[0], returnParameters: true });
    const cold = model.likelihood({ poiTest: 0, returnParameters: true });
    const warm = model.likelihood({ poiTest: 0, initPars: freeParameters, returnParameters: true });
    const asimovParameters = (warm[0] < cold[0] ? warm : cold)[1];
    const asimov = backend.expectedData(Float64Array.from(asimovParameters));
    const asimovMin = denseMinimum(0, upper, asimov, [asimovParameters]);
    for (const mu of [1, 5, 12, 15, 20]) {
      // Observed q̃μ = 2(NLL(μ) − NLL(μ̂)) for μ̂ ≤ μ, 0 otherwise (μ̂ = 10 here).
      const qmu = mu < scan.mu ? 0 : Math.max(0, 2 * (profile(mu, undefined, [freeParameters]) - scan.nll));
      const qmuA = Math.max(0, 2 * (profile(mu, asimov, [asimovParameters]) - asimovMin.nll));
      const expected = oneMinusCls(qmu, qmuA);
      const [computed] = model.exclusionConfidenceLevel({ poiTest: mu, expected: "observed" });
      // Both sides use converged fits (NLLs to ~1e-9); 1 − CLs moves by ≲ 1e-6 for such NLL errors.
      expect(Math.abs((computed as number) - expected)).toBeLessThan(2e-6);
    }
  });
});

describe("non-convergence is an error, not a number", () => {
  it("throws ConvergenceError when no fit can converge within the iteration budget", () => {
    // One iteration is not enough for any strategy (Newton, BFGS, cold or warm).
    expect(() => model.maximizeLikelihood({ optimiser: { maxIterations: 1 } } as never)).toThrow(ConvergenceError);
  });
});

describe("a conditional fit below the free fit is an error", () => {
  it("accepts consistent fits and throws when a conditional NLL undercuts the remembered free fit", () => {
    const fresh = new PyhfBackend({ backgroundOnlyModel: new Workspace(boundaryWorkspace()), signalPatch: [] });
    const free = fresh.minimizeNegativeLoglikelihood({
      allowNegativeSignal: true,
      fixed: new Map(),
      expected: "observed",
    });
    const conditional = (mu: number) =>
      fresh.negativeLoglikelihood({ fixed: new Map([[poi, mu]]), expected: "observed" });
    // Consistent: every conditional fit inside the bounds lies above the (global) free fit.
    for (const mu of [-2, 0, 3, 10]) expect(conditional(mu)?.nll).toBeGreaterThanOrEqual((free?.nll as number) - 1e-9);
    // A free fit that stopped in a worse minimum (simulated: the remembered free NLL is raised by
    // 0.5, the size of the basin gap above) makes the next conditional fit throw.
    const slot = (
      fresh as unknown as { expectationSlots: Map<string, { free?: { nll: number } }> }
    ).expectationSlots.get("observed");
    (slot?.free as { nll: number }).nll += 0.5;
    expect(() => conditional(10)).toThrow(ConvergenceError);
    expect(() => conditional(10)).toThrow(/the free fit \(NLL .*\) is above the conditional fit at μ = 10/);
    // Outside the free fit's bounds the conditional problem is not a restriction: no comparison.
    expect(() => conditional(12)).not.toThrow();
  });
});
