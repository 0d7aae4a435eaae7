/**
 * pyhf's ROOT validation set (test/fixtures/histfactory/pyhf-validation.json, copied from
 * shared/reference/pyhf-validation/expected_values.json): ten asymptotic workspaces with ROOT's
 * CLs, observed and expected (−2σ … +2σ, smallest first), at μ = 1 with qμ (q0 at μ = 0 for one
 * case), normsys code1 / histosys code0 (code4/code4p for shapesys_nuisparfilter, with q̃μ), and the
 * measurement's POI bounds [0, 10] — reached through the public API with
 * `poiBounds: "measurement"`, `modifierSettings` and `allowNegativeSignal: true` (qμ).
 *
 * About the tolerances. The reference numbers carry the truncation error of the fits that produced
 * them: the Asimov data are the expected yields at the fitted nuisance parameters of the μ = 0 fit,
 * so an error δθ there moves √q_{μ,A} linearly, while the observed statistic √q_μ (a difference of
 * two minima) only moves at O(δθ²). That is exactly the pattern seen here: our √q_μ, implied from the
 * reference CLs_obs and median CLs_exp, agrees with the reference to ≤ 4e-7 relative in every case,
 * while √q_{μ,A} differs by up to 3.6e-5. For 1bin_shapesys the cause is reproduced outside this
 * package: scipy's SLSQP with pyhf's defaults (tol=None ⇒ ftol 1e-6 on 2·NLL, finite-difference
 * gradient, start at the suggested init) stops the μ = 0 fit at γ̂ = 1.04951738 instead of the
 * exact (n + τ)/(b + τ) = 1.04949495, and then gives √q_A = 0.9782195627 and CLs_obs =
 * 0.4541889302 — the reference's 0.9782195627 and 0.4541889294 — whereas the exact values (40-digit
 * mpmath, closed-form profile) are √q_A = 0.9782298255 and CLs_obs = 0.4541865302, which we
 * reproduce to 1e-13. So each CLs is compared with the recorded relative tolerance *plus* the change
 * that a 5e-5 relative shift of √q_{μ,A} (the largest reference Asimov error seen, 3.6e-5, rounded
 * up) makes to that CLs; and the observed statistic √q_μ is held to the recorded tolerance alone.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";
import { brentq } from "../../../src/math/roots.js";
import { normCdf, normPpf } from "../../../src/math/special.js";

interface ValidationCase {
  id: string;
  workspace: unknown;
  poi_test: number;
  test_stat: "q" | "qtilde" | "q0";
  calctype: string;
  modifier_settings: { normsys: { interpcode: "code1" | "code4" }; histosys: { interpcode: "code0" | "code4p" } };
  expected_counts?: { init_pars?: number; par_bounds?: number; auxdata?: number };
  reference: { CLs_obs: number; CLs_exp: number[] };
  tolerance_rel: number;
  tolerance_abs?: number;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../fixtures/histfactory/pyhf-validation.json", import.meta.url), "utf8"),
) as { cases: ValidationCase[] };
const asymptotic = fixture.cases.filter((c) => c.calctype === "asymptotics");

/** Relative shift of √q_{μ,A} allowed for the reference's Asimov-fit truncation (see the header). */
const ASIMOV_NOISE = 5e-5;

/** CLs (observed, then expected −2σ…+2σ smallest first, pyhf's order) from √q and √q_A (qμ and q̃μ coincide for μ̂ ≥ 0). */
function clsOf(sq: number, sqA: number, stat: "q" | "qtilde" | "q0"): number[] {
  if (stat === "q0") return [normCdf(-sq), ...[2, 1, 0, -1, -2].map((n) => normCdf(-sqA - n))];
  const obs = normCdf(-sq) / normCdf(sqA - sq);
  return [obs, ...[2, 1, 0, -1, -2].map((n) => normCdf(-sqA - n) / normCdf(-n))];
}

/** √q and √q_A implied by an observed CLs and the median expected CLs (or p-values for q0). */
function impliedStatistics(obs: number, median: number, stat: "q" | "qtilde" | "q0"): [number, number] {
  if (stat === "q0") return [-normPpf(obs), -normPpf(median)];
  const sqA = -normPpf(median / 2);
  if (Math.abs(obs - normCdf(0) / normCdf(sqA)) < 1e-15) return [0, sqA];
  return [
    brentq((v) => normCdf(-v) / normCdf(sqA - v) - obs, 0, 15, { absoluteTolerance: 1e-15, relativeTolerance: 1e-15 })
      .root,
    sqA,
  ];
}

function run(c: ValidationCase): { model: StatisticalModel; backend: PyhfBackend; cls: number[] } {
  const backend = new PyhfBackend({
    backgroundOnlyModel: c.workspace as never,
    signalPatch: [],
    modifierSettings: c.modifier_settings,
    poiBounds: "measurement",
  });
  const model = new StatisticalModel(backend, { analysis: "pyhf-validation" });
  if (c.test_stat === "q0") {
    const [, , p, expectedP] = model.significance({ expected: "observed" });
    return { model, backend, cls: [p[0] as number, ...expectedP] };
  }
  const [observed, expected] = model.exclusionConfidenceLevel({
    poiTest: c.poi_test,
    allowNegativeSignal: c.test_stat === "q",
    expected: "all",
  });
  // spey returns 1 − CLs with the strongest (nσ = +2) first; pyhf lists CLs smallest first: same order.
  return { model, backend, cls: [1 - (observed[0] as number), ...expected.map((x) => 1 - x)] };
}

describe("pyhf ROOT validation set (asymptotic)", () => {
  it("has the ten asymptotic cases", () => {
    expect(asymptotic.map((c) => c.id)).toEqual([
      "1bin_shapesys_mu1",
      "1bin_shapesys_q0_mu1",
      "1bin_lumi_mu1",
      "1bin_normsys_mu1",
      "2bin_histosys_mu1",
      "2bin_2channel_mu1",
      "2bin_2channel_couplednorm_mu1",
      "2bin_2channel_coupledhistosys_mu1",
      "2bin_2channel_coupledshapefactor_mu1",
      "shapesys_nuisparfilter",
    ]);
  });

  for (const c of asymptotic) {
    it(`${c.id}: ${c.test_stat}, ${c.modifier_settings.normsys.interpcode}/${c.modifier_settings.histosys.interpcode}`, () => {
      const { backend, cls } = run(c);
      const ref = [c.reference.CLs_obs, ...c.reference.CLs_exp];
      const counts = c.expected_counts;
      // pyhf's test asserts the numbers of parameters and auxiliary data of each model.
      if (counts?.init_pars !== undefined) expect(backend.model.nPar).toBe(counts.init_pars);
      if (counts?.par_bounds !== undefined) expect(backend.model.suggestedBounds.length).toBe(counts.par_bounds);
      if (counts?.auxdata !== undefined) expect(backend.model.nAux).toBe(counts.auxdata);

      const stat = c.test_stat;
      const [sq, sqA] = impliedStatistics(cls[0] as number, cls[3] as number, stat);
      const [refSq, refSqA] = impliedStatistics(ref[0] as number, ref[3] as number, stat);
      // The observed statistic: recorded relative tolerance (shapesys_nuisparfilter: atol 1e-4 too).
      const rel = c.tolerance_rel;
      const abs = c.tolerance_abs ?? 0;
      expect(Math.abs(sq - refSq)).toBeLessThanOrEqual(abs + rel * refSq);
      // The Asimov statistic: the reference's fit noise (header).
      expect(Math.abs(sqA - refSqA)).toBeLessThanOrEqual(ASIMOV_NOISE * refSqA);
      // Every CLs: recorded tolerance plus the effect of that Asimov noise on this CLs.
      const shifted = [
        clsOf(refSq, refSqA * (1 + ASIMOV_NOISE), stat),
        clsOf(refSq, refSqA * (1 - ASIMOV_NOISE), stat),
      ];
      ref.forEach((r, i) => {
        const noise = Math.max(...shifted.map((s) => Math.abs((s[i] as number) - r)));
        const tolerance = abs + rel * Math.abs(r) + noise;
        expect(Math.abs((cls[i] as number) - r), `${c.id} CLs[${i}]: ${cls[i]} vs ${r}`).toBeLessThanOrEqual(tolerance);
      });
    });
  }

  it("1bin_shapesys matches the exact solution to 1e-12", () => {
    // Exact values: closed-form profile likelihood (the conditional γ̂ solves a quadratic) in
    // 40-digit mpmath: √q_A = 0.97822982547473474889, CLs_obs = 0.45418653021559861302 and
    // CLs_exp = 0.06371798273878489, 0.150965014751423, 0.32796066829680610, 0.60460870465208641,
    // 0.86626274742340723. The tolerance covers the fits' convergence (gradient ≤ 1e-9).
    const c = asymptotic.find((x) => x.id === "1bin_shapesys_mu1") as ValidationCase;
    const { cls } = run(c);
    const exact = [
      0.4541865302155986, 0.06371798273878489, 0.150965014751423, 0.3279606682968061, 0.6046087046520864,
      0.866262747423407,
    ];
    exact.forEach((e, i) => expect(Math.abs((cls[i] as number) - e) / e).toBeLessThan(1e-12));
  });

  it("2bin_2channel_couplednorm matches an independent 30-digit computation to 1e-12", () => {
    // mpmath (30 digits): the same likelihood with normsys code1 written out by hand, stationary
    // points from findroot on numerical derivatives (both sides of the α = 0 kink tried):
    // μ̂ = 1.4974 > 1 so q = 0; √q_A = 1.0217782019083262; CLs_obs 0.5906276447882464, expected
    // 0.05522926299203628, 0.13614194805640514, 0.30688588855585481, 0.58396090723339169,
    // 0.85547996321477903. (The reference's −2σ value 0.0552227 differs by 1.2e-4 relative: its
    // Asimov fit error, see the header.)
    const c = asymptotic.find((x) => x.id === "2bin_2channel_couplednorm_mu1") as ValidationCase;
    const { cls } = run(c);
    const independent = [
      0.5906276447882464, 0.05522926299203628, 0.13614194805640514, 0.3068858885558548, 0.5839609072333917,
      0.855479963214779,
    ];
    independent.forEach((e, i) => expect(Math.abs((cls[i] as number) - e) / e).toBeLessThan(1e-12));
  });

  it("the spey-pyhf configuration (q̃μ, POI bounds widened, code4/code4p) gives other numbers where the reference says so", () => {
    // README: spey-pyhf's 1bin_lumi observed CLs is 0.00140 with qμ (μ̂ free down to −10) and
    // 0.00157 with q̃μ — not ROOT's 0.01047; our default (spey-pyhf) configuration behaves the same.
    const c = asymptotic.find((x) => x.id === "1bin_lumi_mu1") as ValidationCase;
    const model = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: c.workspace as never, signalPatch: [] }));
    const qmuObs = 1 - (model.exclusionConfidenceLevel({ poiTest: 1, allowNegativeSignal: true })[0] as number);
    const qtildeObs = 1 - (model.exclusionConfidenceLevel({ poiTest: 1 })[0] as number);
    // Three significant digits are all the README gives: 5e-6 absolute.
    expect(Math.abs(qmuObs - 0.0014)).toBeLessThan(5e-6);
    expect(Math.abs(qtildeObs - 0.00157)).toBeLessThan(5e-6);
  });
});
