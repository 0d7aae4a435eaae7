/**
 * The Fisher information in factored form (issue #11: the cold fits' Fisher scoring steps of a
 * model with few bins are solved without forming the n×n matrix): `fisherFactors` gives
 * I = Vᵀ V + diag(d), and `FisherFactoriser` solves I[F, F] + τI with the shift sequence of the dense
 * `choleskyWithShift` — both checked against the dense matrix of `nllHessian(…, expected = true)`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../../bench/hepdata-analysis.js";
import { FisherFactoriser } from "../../../src/backends/histfactory/fisher.js";
import type { HistFactoryModel } from "../../../src/backends/histfactory/model.js";
import { PatchSet } from "../../../src/backends/histfactory/patchset.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { Random } from "../../../src/math/random.js";
import { denseSolve, relativeDifference } from "../../support/dense-reference.js";

/** A HEPData-style analysis (bench/hepdata-analysis.js): 3 regions × 3 bins, 25 parameters, 3 normfactors. */
function hepdataModel(): HistFactoryModel {
  const { bkgOnly, patchset } = hepdataAnalysis(new Random(7), {
    regions: 3,
    bins: 3,
    systematics: 12,
    masses: [300],
    lspMasses: [0],
  });
  const set = new PatchSet(patchset);
  const name = set.names[0] as string;
  return set.apply(new Workspace(bkgOnly), name, { verify: false }).model();
}

/** Every modifier type (shapesys: Poisson constraints τ/γ; staterror, lumi: Gaussian). */
function allModifiersModel(): HistFactoryModel {
  const spec = JSON.parse(
    readFileSync(new URL("../../fixtures/histfactory/all-modifiers.json", import.meta.url), "utf8"),
  ) as WorkspaceSpec;
  return new Workspace(spec).model();
}

describe("the Fisher information in factored form", () => {
  const models: [string, () => HistFactoryModel][] = [
    ["HEPData-style analysis", hepdataModel],
    ["all modifier types", allModifiersModel],
  ];
  for (const [label, make] of models) {
    const model = make();
    const n = model.nPar;
    const evaluator = model.evaluator({ main: model.observed, aux: model.auxdata });
    const rng = new Random(9);
    const points = [
      Float64Array.from(model.suggestedInit),
      Float64Array.from(model.suggestedInit, (v, i) => {
        const [lo, hi] = model.suggestedBounds[i] as readonly [number, number];
        return Math.min(hi, Math.max(lo, v + 0.3 * (rng.uniform() - 0.5)));
      }),
    ];

    it(`${label}: Vᵀ V + diag(d) is the dense expected information, and its diagonal is written`, () => {
      const f = new FisherFactoriser(n, model.nMain);
      for (const x of points) {
        evaluator.fisherFactors(x, f.v, f.d);
        const dense = evaluator.nllHessian(x, new Float64Array(n * n), true);
        const rebuilt = new Float64Array(n * n);
        for (let p = 0; p < n; p++) {
          for (let q = 0; q < n; q++) {
            let s = p === q ? (f.d[p] as number) : 0;
            for (let b = 0; b < model.nMain; b++) s += (f.v[b * n + p] as number) * (f.v[b * n + q] as number);
            rebuilt[p * n + q] = s;
          }
        }
        // The same sums in another order: rounding, ~1e-15 of the largest entry.
        expect(relativeDifference(rebuilt, dense)).toBeLessThan(1e-13);
        const h = new Float64Array(n * n).fill(Number.NaN); // off-diagonal entries are not read
        f.writeDiagonal(h);
        const diagonal = Array.from({ length: n }, (_, i) => h[i * n + i] as number);
        expect(
          relativeDifference(
            diagonal,
            Array.from({ length: n }, (_, i) => dense[i * n + i] as number),
          ),
        ).toBeLessThan(1e-14);
      }
    });

    it(`${label}: solves like the dense Cholesky on all parameters and on subsets, with the same shift`, () => {
      const f = new FisherFactoriser(n, model.nMain);
      let unconstrainedSeen = 0;
      for (const x of points) {
        evaluator.fisherFactors(x, f.v, f.d);
        const dense = evaluator.nllHessian(x, new Float64Array(n * n), true);
        const h = new Float64Array(n * n);
        f.writeDiagonal(h);
        for (const drop of [[], [model.poiIndex], [0, 2, 5].filter((i) => i < n)]) {
          const idx = Array.from({ length: n }, (_, i) => i).filter((i) => !drop.includes(i));
          unconstrainedSeen += idx.filter((i) => f.d[i] === 0).length;
          const b = Float64Array.from(idx, () => rng.uniform() - 0.5);
          const reference = denseSolve(dense, n, idx, b);
          const tau = f.factorWithShift(h, Int32Array.from(idx), idx.length, 80, "smallest-diagonal");
          // The same shift of the sequence; its value follows the diagonal, whose sums are
          // ordered differently (rounding: 1e-12 relative).
          expect(tau === 0).toBe(reference.tau === 0);
          expect(Math.abs(tau - reference.tau)).toBeLessThanOrEqual(1e-12 * reference.tau);
          const xs = Float64Array.from(b);
          f.solveInPlace(xs);
          // Two backward-stable solves of a system with condition number ≲ 1e6 (normfactors
          // against Gaussian constraints): agreement to ~1e-10 of the solution's scale.
          expect(relativeDifference(xs, reference.x)).toBeLessThan(1e-9);
        }
      }
      // The Schur complement over unconstrained parameters (normfactors, μ) really ran.
      expect(unconstrainedSeen).toBeGreaterThan(0);
    });
  }

  it("a singular information (unconstrained parameters the data do not fix) takes the dense shift sequence", () => {
    // 6 parameters, 2 bins: parameters 2, 3 and 5 have no constraint and three directions share
    // two data rows, so I is singular; τ and the solve must be those of the dense factorisation.
    const n = 6;
    const rows = 2;
    const f = new FisherFactoriser(n, rows);
    f.v.set([0.5, 0.1, 1.2, -0.4, 0.3, 0.8, -0.2, 0.6, 0.3, 0.9, 0.1, -0.7]);
    f.d.set([1, 2, 0, 0, 0.5, 0]);
    const h = new Float64Array(n * n);
    f.writeDiagonal(h);
    const dense = new Float64Array(n * n);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let s = p === q ? (f.d[p] as number) : 0;
        for (let b = 0; b < rows; b++) s += (f.v[b * n + p] as number) * (f.v[b * n + q] as number);
        dense[p * n + q] = s;
      }
    }
    const idx = [0, 1, 2, 3, 4, 5];
    const b = Float64Array.of(0.3, -0.2, 0.5, 0.1, -0.4, 0.2);
    const reference = denseSolve(dense, n, idx, b);
    expect(reference.tau).toBeGreaterThan(0);
    const tau = f.factorWithShift(h, idx, n, 80, "smallest-diagonal");
    // The same step of the shift sequence (its value up to the rounding of the diagonal's sums).
    expect(Math.abs(tau - reference.tau)).toBeLessThanOrEqual(1e-12 * reference.tau);
    const xs = Float64Array.from(b);
    f.solveInPlace(xs);
    // Shifted by τ ~1e-3 of the smallest diagonal entry: condition ~1e4, agreement ~1e-11.
    expect(relativeDifference(xs, reference.x)).toBeLessThan(1e-9);
  });
});
