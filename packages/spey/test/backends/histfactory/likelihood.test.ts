/**
 * The HistFactory likelihood on a workspace using every modifier (test/fixtures/histfactory/
 * all-modifiers.json): parameter layout in pyhf's order, log L against a direct evaluation of the
 * HistFactory formulas written independently below, analytic gradient and Hessian against finite
 * differences, expected data, the sampler, and the data options.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import type { ModifierSettings } from "../../../src/backends/histfactory/modifier-settings.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";
import { Random } from "../../../src/math/random.js";
import { gammaln } from "../../../src/math/special.js";

const workspace = JSON.parse(
  readFileSync(new URL("../../fixtures/histfactory/all-modifiers.json", import.meta.url), "utf8"),
) as WorkspaceSpec;

const SETTINGS: Record<string, ModifierSettings> = {
  "code4/code4p": { normsys: { interpcode: "code4" }, histosys: { interpcode: "code4p" } },
  "code1/code0": { normsys: { interpcode: "code1" }, histosys: { interpcode: "code0" } },
};

const backendWith = (settings: ModifierSettings) =>
  new PyhfBackend({ backgroundOnlyModel: workspace, signalPatch: [], modifierSettings: settings });

describe("parameter layout (pyhf 0.7 order)", () => {
  it("groups parameter sets by modifier type, then orders them as pyhf's builders meet them", () => {
    // Types in `histfactory_set` order (histosys, lumi, normfactor, normsys, shapefactor, shapesys,
    // staterror); within a type, first occurrence walking channels by name (CR, SR), samples by name
    // (CR: ttbar, wjets; SR: fakes, signal, ttbar) and modifiers by name — so mu_ttbar (CR) precedes
    // mu (SR) and jes (CR) precedes sig_theory (SR); staterror sets in name order.
    const model = backendWith(SETTINGS["code4/code4p"] as ModifierSettings).model;
    expect(model.parameterNames).toEqual([
      "jer",
      "lumi",
      "mu_ttbar",
      "mu",
      "jes",
      "sig_theory",
      "fake_shape[0]",
      "fake_shape[1]",
      "fake_shape[2]",
      "wjets_shape[0]",
      "wjets_shape[1]",
      "stat_CR[0]",
      "stat_CR[1]",
      "stat_SR[0]",
      "stat_SR[1]",
      "stat_SR[2]",
    ]);
    expect(model.poiIndex).toBe(3);
    expect(model.channels.map((c) => c.name)).toEqual(["CR", "SR"]);
    // Auxiliary data: the constrained sets in parameter order — pyhf 0.7.6's `auxdata_order`
    // (`_create_parameters_from_spec` in src/pyhf/pdf.py appends them while walking `par_order`;
    // only pyhf < 0.6 sorted them by name).
    expect(model.auxiliaryOrder).toEqual(["jer", "lumi", "jes", "sig_theory", "wjets_shape", "stat_CR", "stat_SR"]);
  });

  it("takes inits, bounds, fixed flags and auxiliary data from the modifiers and the measurement", () => {
    const model = backendWith(SETTINGS["code4/code4p"] as ModifierSettings).model;
    expect(model.suggestedInit).toEqual([0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const bounds = model.suggestedBounds.map((b) => [...b]);
    expect(bounds.slice(0, 6)).toEqual([
      [-5, 5],
      [0.915, 1.085],
      [0, 5],
      [0, 10],
      [-5, 5],
      [-5, 5],
    ]);
    expect(bounds.slice(6, 9)).toEqual([
      [0, 10],
      [0, 10],
      [0, 10],
    ]);
    for (const b of bounds.slice(9)) expect(b).toEqual([1e-10, 10]);
    // The shapesys bin without uncertainty and nothing else is fixed.
    expect(model.suggestedFixed.map((f, i) => (f ? model.parameterNames[i] : "")).filter(Boolean)).toEqual([
      "wjets_shape[1]",
    ]);
    // In auxiliary order: jer 0, lumi 1, jes 0, sig_theory 0, shapesys τ = (ν/δ)² (1 for the
    // invalid bin), staterror aux 1.
    const aux = Array.from(model.auxdata);
    expect(aux).toEqual([0, 1, 0, 0, (40 / 4) ** 2, 1, 1, 1, 1, 1, 1]);
    // Staterror widths: √Σδ² / Σν per bin over the samples carrying it (pyhf's relerrs).
    const statSR = model.parameterSet("stat_SR");
    expect(statSR?.sigmas[0]).toBeCloseTo(Math.hypot(2, 1) / 23, 15);
    expect(statSR?.sigmas[1]).toBeCloseTo(Math.hypot(1.5, 0.5) / 12, 15);
    expect(statSR?.sigmas[2]).toBeCloseTo(1 / 6, 15);
    expect(model.parameterSet("stat_CR")?.sigmas).toEqual([Math.hypot(5, 3) / 140, Math.hypot(4, 3) / 110]);
    expect(model.parameterSet("lumi")?.sigmas).toEqual([0.017]);
  });

  it("applies the measurement's fixed flags and auxiliary data, and fits keep fixed parameters", () => {
    const configured = JSON.parse(JSON.stringify(workspace)) as WorkspaceSpec;
    configured.measurements[0]?.config.parameters.push(
      { name: "jes", fixed: true, inits: [0.5] },
      { name: "jer", auxdata: [0.3] },
    );
    const backend = new PyhfBackend({ backgroundOnlyModel: configured, signalPatch: [], measurement: "main" });
    const model = backend.model;
    const jes = model.parameterNames.indexOf("jes");
    expect(model.suggestedFixed[jes]).toBe(true);
    expect(model.suggestedInit[jes]).toBe(0.5);
    expect(model.auxdata[model.auxiliaryOrder.indexOf("jer")]).toBe(0.3);
    const [nll, pars] = new StatisticalModel(backend).likelihood({ poiTest: 1, returnParameters: true });
    expect(pars[jes]).toBe(0.5);
    expect(Number.isFinite(nll)).toBe(true);
  });

  it("uses the selected measurement", () => {
    const backend = new PyhfBackend({ backgroundOnlyModel: workspace, signalPatch: [], measurement: "ttbar_norm" });
    expect(backend.model.poiName).toBe("mu_ttbar");
    expect(backend.model.suggestedBounds[backend.model.poiIndex]).toEqual([0, 10]);
    expect(new PyhfBackend({ backgroundOnlyModel: workspace, measurement: 1 }).model.poiName).toBe("mu_ttbar");
    expect(() => new PyhfBackend({ backgroundOnlyModel: workspace, measurement: "nope" })).toThrow(
      /no measurement named "nope"/,
    );
  });
});

// -------------------------------------------------------------------------------------------------
// An independent, direct evaluation of the HistFactory likelihood (CERN-OPEN-2012-016 eqs. 3–15,
// pyhf's interpolation codes), by name, straight from the specification.

function interpolate(code: string, alpha: number, nom: number, lo: number, hi: number): number {
  switch (code) {
    case "code1":
      return alpha >= 0 ? (hi / nom) ** alpha : (lo / nom) ** -alpha;
    case "code4": {
      if (alpha >= 1) return (hi / nom) ** alpha;
      if (alpha <= -1) return (lo / nom) ** -alpha;
      // Solve the 6×6 system of code 4 (value, slope, curvature at ±1) by Gaussian elimination.
      const up = hi / nom;
      const dn = lo / nom;
      const A = [
        [1, 1, 1, 1, 1, 1],
        [-1, 1, -1, 1, -1, 1],
        [1, 2, 3, 4, 5, 6],
        [1, -2, 3, -4, 5, -6],
        [0, 2, 6, 12, 20, 30],
        [0, 2, -6, 12, -20, 30],
      ];
      const b = [up - 1, dn - 1, Math.log(up) * up, -Math.log(dn) * dn, Math.log(up) ** 2 * up, Math.log(dn) ** 2 * dn];
      for (let i = 0; i < 6; i++) {
        let p = i;
        for (let r = i + 1; r < 6; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[p]![i]!)) p = r;
        [A[i], A[p]] = [A[p]!, A[i]!];
        [b[i], b[p]] = [b[p]!, b[i]!];
        for (let r = i + 1; r < 6; r++) {
          const f = A[r]![i]! / A[i]![i]!;
          for (let c = i; c < 6; c++) A[r]![c]! -= f * A[i]![c]!;
          b[r]! -= f * b[i]!;
        }
      }
      const a = new Array<number>(6).fill(0);
      for (let i = 5; i >= 0; i--) {
        let s = b[i]!;
        for (let c = i + 1; c < 6; c++) s -= A[i]![c]! * a[c]!;
        a[i] = s / A[i]![i]!;
      }
      return 1 + a.reduce((s, ai, i) => s + ai * alpha ** (i + 1), 0);
    }
    case "code0":
      return alpha >= 0 ? alpha * (hi - nom) : alpha * (nom - lo);
    default: {
      // code4p
      if (alpha > 1) return alpha * (hi - nom);
      if (alpha < -1) return alpha * (nom - lo);
      const S = 0.5 * (hi - nom + (nom - lo));
      const A = 0.0625 * (hi - nom - (nom - lo));
      return alpha * S + alpha ** 2 * A * (15 + alpha ** 2 * (3 * alpha ** 2 - 10));
    }
  }
}

function directLogpdf(
  spec: WorkspaceSpec,
  settings: { normsys: string; histosys: string },
  names: readonly string[],
  pars: ArrayLike<number>,
  main: ArrayLike<number>,
  aux: ArrayLike<number>,
): number {
  const value = (name: string) => pars[names.indexOf(name)] as number;
  const channels = [...spec.channels].sort((a, b) => (a.name < b.name ? -1 : 1));
  let logL = 0;
  let bin = 0;
  for (const channel of channels) {
    const nb = channel.samples[0]!.data.length;
    for (let i = 0; i < nb; i++, bin++) {
      let lambda = 0;
      for (const sample of channel.samples) {
        let base = sample.data[i] as number;
        let factor = 1;
        for (const m of sample.modifiers) {
          if (m.type === "histosys") {
            base += interpolate(
              settings.histosys,
              value(m.name),
              sample.data[i] as number,
              m.data.lo_data[i] as number,
              m.data.hi_data[i] as number,
            );
          } else if (m.type === "normsys") {
            factor *= interpolate(settings.normsys, value(m.name), 1, m.data.lo, m.data.hi);
          } else if (m.type === "normfactor" || m.type === "lumi") {
            factor *= value(m.name);
          } else {
            factor *= value(`${m.name}[${m.type === "staterror" ? statIndex(spec, m.name, channel.name, i) : i}]`);
          }
        }
        lambda += base * factor;
      }
      const n = main[bin] as number;
      logL += n * Math.log(lambda) - lambda - gammaln(n + 1);
    }
  }
  // Constraints, in pyhf 0.7's auxiliary order (parameter order): jer, lumi, jes, sig_theory,
  // wjets_shape, stat_CR, stat_SR.
  const gauss = (a: number, x: number, s: number) => -0.5 * ((a - x) / s) ** 2 - Math.log(Math.sqrt(2 * Math.PI) * s);
  const sigmaSR = [Math.hypot(2, 1) / 23, Math.hypot(1.5, 0.5) / 12, 1 / 6];
  const sigmaCR = [Math.hypot(5, 3) / 140, Math.hypot(4, 3) / 110];
  let j = 0;
  logL += gauss(aux[j++] as number, value("jer"), 1);
  logL += gauss(aux[j++] as number, value("lumi"), 0.017);
  logL += gauss(aux[j++] as number, value("jes"), 1);
  logL += gauss(aux[j++] as number, value("sig_theory"), 1);
  const taus = [(40 / 4) ** 2, 1];
  for (let i = 0; i < 2; i++) {
    const a = aux[j++] as number;
    const rate = value(`wjets_shape[${i}]`) * (taus[i] as number);
    logL += a * Math.log(rate) - rate - gammaln(a + 1);
  }
  for (let i = 0; i < 2; i++) logL += gauss(aux[j++] as number, value(`stat_CR[${i}]`), sigmaCR[i] as number);
  for (let i = 0; i < 3; i++) logL += gauss(aux[j++] as number, value(`stat_SR[${i}]`), sigmaSR[i] as number);
  return logL;
}

/** staterror parameters are per channel bin; here each name lives in one channel. */
function statIndex(_spec: WorkspaceSpec, _name: string, _channel: string, bin: number): number {
  return bin;
}

/** A reproducible parameter point inside the bounds (α up to ±1.6 to cross the joints). */
function randomPoint(backend: PyhfBackend, rng: Random): Float64Array {
  const model = backend.model;
  return Float64Array.from(model.suggestedInit, (init, i) => {
    const [lo, hi] = model.suggestedBounds[i] as readonly [number, number];
    if (model.suggestedFixed[i]) return init;
    if (lo === -5) return 3.2 * (rng.uniform() - 0.5);
    return Math.min(hi, Math.max(lo, init * (0.7 + 0.6 * rng.uniform())));
  });
}

describe.each(Object.keys(SETTINGS))("likelihood with %s", (key) => {
  const settings = SETTINGS[key] as ModifierSettings;
  const backend = backendWith(settings);
  const model = backend.model;
  const codes = { normsys: settings.normsys?.interpcode as string, histosys: settings.histosys?.interpcode as string };

  it("log L equals the direct evaluation of the HistFactory formulas", () => {
    const rng = new Random(11);
    const logpdf = backend.getLogpdfFunc();
    for (let trial = 0; trial < 20; trial++) {
      const x = randomPoint(backend, rng);
      const direct = directLogpdf(workspace, codes, model.parameterNames, x, model.observed, model.auxdata);
      // Both sum the same terms in different orders: 1e-12 relative.
      expect(Math.abs(logpdf(x) - direct)).toBeLessThan(1e-12 * Math.abs(direct));
    }
  });

  it("the analytic gradient matches central finite differences", () => {
    const rng = new Random(12);
    const objective = backend.getObjectiveFunction();
    const grad = new Float64Array(model.nPar);
    for (let trial = 0; trial < 10; trial++) {
      const x = randomPoint(backend, rng);
      objective(x, grad);
      for (let i = 0; i < model.nPar; i++) {
        const h = 1e-6 * Math.max(1, Math.abs(x[i] as number));
        const xp = Float64Array.from(x);
        const xm = Float64Array.from(x);
        xp[i]! += h;
        xm[i]! -= h;
        const fd = (objective(xp) - objective(xm)) / (2 * h);
        // Central differences with h = 1e-6: truncation O(h²·f''') plus rounding ε·|f|/h ≈ 1e-8;
        // interpolation joints (α = 0 for code 1/0) are avoided by the random points.
        expect(Math.abs((grad[i] as number) - fd)).toBeLessThan(2e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  /**
   * The analytic Hessian of log L at x against central differences (h = 1e-6 relative) of the
   * analytic gradient of −log L: agreement to 2e-5 relative, the truncation and rounding error of
   * those differences on this model; with `symmetric`, also H = Hᵀ exactly.
   */
  function expectHessianMatchesGradient(x: Float64Array, symmetric: boolean): void {
    const objective = backend.getObjectiveFunction();
    const H = backend.getHessianLogpdfFunc()(x);
    const n = model.nPar;
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = 1e-6 * Math.max(1, Math.abs(x[i] as number));
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[i]! += h;
      xm[i]! -= h;
      objective(xp, gp);
      objective(xm, gm);
      for (let k = 0; k < n; k++) {
        const fd = ((gp[k] as number) - (gm[k] as number)) / (2 * h);
        const analytic = -(H[i * n + k] as number); // Hessian of −log L
        expect(Math.abs(analytic - fd)).toBeLessThan(2e-5 * Math.max(1, Math.abs(fd)));
        if (symmetric) expect(H[i * n + k]).toBe(H[k * n + i]);
      }
    }
  }

  it("the analytic Hessian matches finite differences of the gradient and is symmetric", () => {
    const rng = new Random(13);
    for (let trial = 0; trial < 6; trial++) expectHessianMatchesGradient(randomPoint(backend, rng), true);
  });
  it("the Hessian matches finite differences where a factor vanishes (μ = 0, μ_ttbar = 0)", () => {
    // A zero factor (normfactor at 0) takes the kernel's path that forms products of the other
    // factors explicitly instead of dividing by the cell's product.
    const rng = new Random(14);
    const zeroed = [model.parameterNames.indexOf("mu"), model.parameterNames.indexOf("mu_ttbar")];
    for (const z of [[zeroed[0]], [zeroed[1]], zeroed]) {
      const x = randomPoint(backend, rng);
      for (const i of z) x[i as number] = 0;
      expectHessianMatchesGradient(x, false);
    }
  });

  it("one evaluator gives bit-identical values, gradients and Hessians whatever it evaluated before", () => {
    // The evaluator keeps the terms of its last point (a Newton step asks for the gradient and then
    // the Hessian at the same point); interleaved calls at other points must not leak into results.
    const rng = new Random(15);
    const data = { main: model.observed, aux: model.auxdata };
    const shared = model.evaluator(data);
    const points = Array.from({ length: 4 }, () => randomPoint(backend, rng));
    const n = model.nPar;
    const sequence = [0, 1, 1, 0, 2, 3, 3, 2, 0];
    for (const [step, p] of sequence.entries()) {
      const x = points[p] as Float64Array;
      const other = points[(p + 1) % points.length] as Float64Array;
      const fresh = model.evaluator(data);
      // A value-only call elsewhere overwrites the expected yields: the terms of x (kept from the
      // previous step when it was at the same point) must not be reused with them.
      if (step % 2 === 0) expect(shared.logpdf(other)).toBe(model.evaluator(data).logpdf(other));
      else expect(shared.nll(other)).toBe(model.evaluator(data).nll(other));
      const g1 = new Float64Array(n);
      const g2 = new Float64Array(n);
      expect(shared.nll(x, g1)).toBe(fresh.nll(x, g2));
      expect(Array.from(g1)).toEqual(Array.from(g2));
      // Hessian, Fisher information and the same point in another array: the kept terms.
      expect(Array.from(shared.nllHessian(x))).toEqual(Array.from(fresh.nllHessian(x)));
      expect(Array.from(shared.nllHessian(x, undefined, true))).toEqual(
        Array.from(fresh.nllHessian(x, undefined, true)),
      );
      expect(Array.from(shared.nllHessian(Float64Array.from(x)))).toEqual(Array.from(fresh.nllHessian(x)));
    }
  });
});

describe("data, expected data and sampling", () => {
  const backend = backendWith(SETTINGS["code4/code4p"] as ModifierSettings);
  const model = backend.model;
  const init = Float64Array.from(model.suggestedInit);

  it("expected data: main yields (channels by name) then the expected auxiliary data", () => {
    const x = Float64Array.from(init);
    x[model.parameterNames.indexOf("wjets_shape[0]")] = 1.2;
    x[model.parameterNames.indexOf("jes")] = 0.5;
    const expected = backend.expectedData(x);
    expect(expected.length).toBe(model.nMain + model.nAux);
    // CR bin 0 at μ_ttbar = 1, lumi 1: ttbar 100 × normsys(0.5) + wjets 40 × 1.2.
    const code4Half = (() => {
      const one = Float64Array.from(init);
      one[model.parameterNames.indexOf("jes")] = 0.5;
      return (model.expectedMain(one)[0] as number) - 40;
    })();
    expect(expected[0]).toBeCloseTo(code4Half + 48, 12);
    // Auxiliary (pyhf order jer, lumi, jes, sig_theory, wjets_shape, …): jes → 0.5;
    // wjets_shape[0] → γ τ = 1.2 × 100.
    expect(expected[model.nMain + 2]).toBe(0.5);
    expect(expected[model.nMain + 4]).toBeCloseTo(120, 12);
  });

  it("'apriori' uses the background expectation at the initial point with μ = 0", () => {
    const atZero = Float64Array.from(init);
    atZero[model.poiIndex] = 0;
    expect(Array.from(backend.backgroundData)).toEqual(Array.from(model.expectedMain(atZero)));
    // SR bin 0: ttbar 20 + fakes 3 (the signal is scaled away).
    expect(backend.backgroundData[2]).toBe(23);
    const apriori = backend.getLogpdfFunc({ expected: "apriori" })(init);
    const explicit = backend.getLogpdfFunc({ data: Array.from(backend.backgroundData) })(init);
    expect(apriori).toBe(explicit);
  });

  it("explicit data: main counts only, or followed by the auxiliary data", () => {
    const logpdf = backend.getLogpdfFunc();
    const mainOnly = backend.getLogpdfFunc({ data: Array.from(model.observed) });
    const withAux = backend.getLogpdfFunc({ data: [...model.observed, ...model.auxdata] });
    expect(mainOnly(init)).toBe(logpdf(init));
    expect(withAux(init)).toBe(logpdf(init));
    expect(() => backend.getLogpdfFunc({ data: [1, 2, 3] })).toThrow(/expected 5 \(main counts\) or 16/);
  });

  it("the sampler draws main counts and auxiliary data with the model's means and widths", () => {
    const x = Float64Array.from(init);
    const sampler = backend.getSampler(x);
    const draws = sampler(4000, new Random(5));
    const mean = backend.expectedData(x);
    const n = draws.length;
    for (let j = 0; j < mean.length; j++) {
      const m = draws.reduce((s, d) => s + (d[j] as number), 0) / n;
      const v = draws.reduce((s, d) => s + ((d[j] as number) - m) ** 2, 0) / (n - 1);
      // Standard error of the mean √(v/n); 5 standard errors.
      expect(Math.abs(m - (mean[j] as number))).toBeLessThan(5 * Math.sqrt(v / n) + 1e-12);
    }
    // Main counts and Poisson auxiliary data are integers; lumi's width is 0.017.
    expect(draws.every((d) => Number.isInteger(d[0]) && Number.isInteger(d[model.nMain + 4]))).toBe(true);
    const lumiDraws = draws.map((d) => d[model.nMain + 1] as number);
    const lm = lumiDraws.reduce((s, v) => s + v, 0) / n;
    const lsd = Math.sqrt(lumiDraws.reduce((s, v) => s + (v - lm) ** 2, 0) / (n - 1));
    // The sample standard deviation's relative error is ≈ 1/√(2n) ≈ 1.1%: 5%.
    expect(Math.abs(lsd - 0.017) / 0.017).toBeLessThan(0.05);
  });
});
