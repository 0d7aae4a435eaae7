import { describe, expect, it } from "vitest";
import { largeWorkspace } from "../../../../bench/large-workspace.js";
import { Workspace } from "../../src/backends/histfactory/workspace.js";
import { InvalidInput } from "../../src/core/errors.js";
import { Random } from "../../src/math/random.js";
import { BlockArrowCholesky } from "../../src/optimize/block-arrow.js";
import { choleskyWithShift } from "../../src/optimize/dense.js";
import { denseSolve, relativeDifference } from "../support/dense-reference.js";
import { minimize } from "../../src/optimize/minimize.js";

/**
 * A random symmetric positive-definite n×n matrix with a block-arrow pattern: `nBlocks` blocks of
 * 1–3 variables each, the rest dense; built as L Lᵀ with L lower triangular in the order "blocks,
 * then the rest" (L block diagonal on the blocks, some rows of L_AD zero), then with the variables
 * shuffled so that the blocks are not contiguous. Returns the matrix and the blocks.
 */
function randomArrow(
  rng: Random,
  nA: number,
  nBlocks: number,
  ridge: number,
): { h: Float64Array; n: number; blocks: number[][] } {
  const sizes = Array.from({ length: nBlocks }, () => 1 + Math.floor(3 * rng.uniform()));
  const nD = sizes.reduce((a, b) => a + b, 0);
  const n = nD + nA;
  // Lower-triangular L in the permuted order (blocks first).
  const l = new Float64Array(n * n);
  let start = 0;
  for (const s of sizes) {
    for (let r = 0; r < s; r++) {
      for (let c = 0; c <= r; c++) l[(start + r) * n + start + c] = c === r ? 0.5 + rng.uniform() : rng.uniform() - 0.5;
    }
    start += s;
  }
  for (let a = nD; a < n; a++) {
    const couples = rng.uniform() < 0.7; // some rows of B are zero
    for (let c = 0; c < nD; c++) if (couples) l[a * n + c] = rng.uniform() - 0.5;
    for (let c = nD; c <= a; c++) l[a * n + c] = c === a ? 0.5 + rng.uniform() : rng.uniform() - 0.5;
  }
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((i + 1) * rng.uniform());
    [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
  }
  // h[perm[i]][perm[j]] = (L Lᵀ)[i][j] + ridge δ_ij.
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += (l[i * n + k] as number) * (l[j * n + k] as number);
      h[(perm[i] as number) * n + (perm[j] as number)] = s + (i === j ? ridge : 0);
    }
  }
  const blocks: number[][] = [];
  start = 0;
  for (const s of sizes) {
    blocks.push(Array.from({ length: s }, (_, t) => perm[start + t] as number));
    start += s;
  }
  return { h, n, blocks };
}

describe("block-arrow Cholesky (optimize/block-arrow.ts)", () => {
  it("solves like dense Cholesky on random SPD block-arrow matrices, on all variables and on subsets", () => {
    const rng = new Random(11);
    let blockPathUsed = 0;
    for (const [nA, nBlocks] of [
      [0, 12],
      [3, 40],
      [10, 60],
      [25, 80],
      [40, 30],
    ] as const) {
      const { h, n, blocks } = randomArrow(rng, nA, nBlocks, 0.1);
      const f = new BlockArrowCholesky(n, blocks);
      for (const fraction of [1, 0.8, 0.5]) {
        // A subset as a projected-Newton active set leaves it: variables dropped at random.
        const idx = Array.from({ length: n }, (_, i) => i).filter(() => fraction === 1 || rng.uniform() < fraction);
        const b = Float64Array.from(idx, () => rng.uniform() - 0.5);
        const reference = denseSolve(h, n, idx, b);
        const x = Float64Array.from(b);
        expect(f.factorWithShift(h, Int32Array.from(idx), idx.length, 80, "smallest-diagonal")).toBe(reference.tau);
        f.solveInPlace(x);
        if (f.usedBlocks) blockPathUsed++;
        // Both are backward-stable solves of a system with condition number ≲ 1e4 (ridge 0.1 on
        // O(1) factors): they agree to a few hundred ulps of the solution's scale.
        expect(relativeDifference(x, reference.x)).toBeLessThan(1e-12);
      }
    }
    // The block path really ran (most cases have far more block variables than dense ones).
    expect(blockPathUsed).toBeGreaterThanOrEqual(10);
  });

  it("picks the same shift as choleskyWithShift for indefinite matrices, and fails where it fails", () => {
    const rng = new Random(5);
    const { h, n, blocks } = randomArrow(rng, 8, 50, 0);
    // Make it indefinite: lower some diagonal entries, inside blocks and in the dense part.
    const lowered = Float64Array.from(h);
    for (let i = 0; i < n; i += 7) lowered[i * n + i] = (lowered[i * n + i] as number) - 3;
    const idx = Array.from({ length: n }, (_, i) => i);
    const f = new BlockArrowCholesky(n, blocks);
    for (const start of ["largest-diagonal", "smallest-diagonal"] as const) {
      const a = Float64Array.from(lowered);
      const tauDense = choleskyWithShift(a, n, new Float64Array(n * n), 80, start);
      expect(tauDense).toBeGreaterThan(0);
      expect(f.factorWithShift(lowered, idx, n, 80, start)).toBe(tauDense);
      expect(f.usedBlocks).toBe(true);
    }
    expect(f.factor(lowered, idx, n, 0, 0)).toBe(false);
    const nan = Float64Array.from(h);
    nan[(blocks[0]![0] as number) * n + (blocks[0]![0] as number)] = Number.NaN;
    expect(f.factorWithShift(nan, idx, n, 80)).toBeNaN();
  });

  it("works densely, exactly as choleskyWithShift, when no variable of the subset is in a block", () => {
    const rng = new Random(8);
    const { h, n, blocks } = randomArrow(rng, 30, 10, 0.1);
    const f = new BlockArrowCholesky(n, blocks);
    const inBlock = new Set(blocks.flat());
    const idx = Array.from({ length: n }, (_, i) => i).filter((i) => !inBlock.has(i));
    const b = Float64Array.from(idx, () => rng.uniform());
    const reference = denseSolve(h, n, idx, b);
    const x = Float64Array.from(b);
    f.factorWithShift(h, idx, idx.length, 80, "smallest-diagonal");
    f.solveInPlace(x);
    expect(f.usedBlocks).toBe(false);
    expect(Array.from(x)).toEqual(Array.from(reference.x)); // same operations: bit for bit
  });

  it("a factorisation asked again for the same matrix reuses the factor: results bit for bit those of a fresh factoriser", () => {
    // The fit's positive-definiteness test factors H[F, F] (shift 0, no pivot floor); the
    // minimiser then asks for the same system with choleskyWithShift's sequence. Whatever is
    // reused must equal a fresh computation exactly, and a changed entry, another subset or a
    // pivot the floor rejects must be computed again.
    const rng = new Random(21);
    const { h, n, blocks } = randomArrow(rng, 12, 30, 0.1);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const b = Float64Array.from(idx, () => rng.uniform() - 0.5);
    const fresh = (matrix: Float64Array, subset: Int32Array) => {
      const f = new BlockArrowCholesky(n, blocks);
      const tau = f.factorWithShift(matrix, subset, subset.length, 80, "smallest-diagonal");
      const x = b.slice(0, subset.length);
      f.solveInPlace(x);
      return { tau, x: Array.from(x) };
    };
    const f = new BlockArrowCholesky(n, blocks);
    const again = (matrix: Float64Array, subset: Int32Array) => {
      const tau = f.factorWithShift(matrix, subset, subset.length, 80, "smallest-diagonal");
      const x = b.slice(0, subset.length);
      f.solveInPlace(x);
      return { tau, x: Array.from(x) };
    };
    expect(f.factor(h, idx, n, 0, 0)).toBe(true);
    expect(again(h, idx)).toEqual(fresh(h, idx));
    // The same buffer with one entry changed (as the next Newton iterate's Hessian).
    h[5 * n + 5] = (h[5 * n + 5] as number) + 0.25;
    expect(f.factor(h, idx, n, 0, 0)).toBe(true);
    h[3 * n + 7] = (h[3 * n + 7] as number) + 1e-3;
    h[7 * n + 3] = h[3 * n + 7] as number;
    expect(again(h, idx)).toEqual(fresh(h, idx));
    const smaller = idx.filter((i) => i % 4 !== 0);
    expect(f.factor(h, idx, n, 0, 0)).toBe(true);
    expect(again(h, smaller)).toEqual(fresh(h, smaller));
    // A pivot above 0 but below choleskyWithShift's floor 1e-14·max|a_ii|: the test passes, the
    // minimiser's sequence must still shift, as a fresh one does.
    const tiny = new BlockArrowCholesky(2, []);
    const nearlySingular = Float64Array.of(1, 0, 0, 1e-16);
    expect(tiny.factor(nearlySingular, [0, 1], 2, 0, 0)).toBe(true);
    const tau = tiny.factorWithShift(nearlySingular, [0, 1], 2, 80, "smallest-diagonal");
    expect(tau).toBeGreaterThan(0);
    expect(tau).toBe(new BlockArrowCholesky(2, []).factorWithShift(nearlySingular, [0, 1], 2, 80, "smallest-diagonal"));
  });

  it("rejects overlapping or out-of-range blocks with a typed error", () => {
    expect(
      () =>
        new BlockArrowCholesky(4, [
          [0, 1],
          [1, 2],
        ]),
    ).toThrow(InvalidInput);
    expect(() => new BlockArrowCholesky(4, [[4]])).toThrow(/disjoint indices in \[0, 4\)/);
  });
});

describe("HistFactory Hessians have the block-arrow pattern of hessianBlocks()", () => {
  // 10 channels × 5 bins: 96 parameters, 50 of them staterror γ's acting on one bin each.
  const model = new Workspace(largeWorkspace(10, 5, 20, new Random(3))).model();
  const n = model.nPar;
  const blocks = model.hessianBlocks();
  const evaluator = model.evaluator({ main: model.observed, aux: model.auxdata });
  const rng = new Random(4);
  const points = [
    Float64Array.from(model.suggestedInit),
    Float64Array.from(model.suggestedInit, (v, i) => {
      const [lo, hi] = model.suggestedBounds[i] as readonly [number, number];
      return Math.min(hi, Math.max(lo, v + 0.1 * (rng.uniform() - 0.5)));
    }),
  ];

  it("has one block per bin with a parameter acting on that bin only", () => {
    expect(blocks.length).toBe(50);
    expect(blocks.every((b) => b.length === 1)).toBe(true);
    for (const b of blocks) expect(model.parameterNames[b[0] as number]).toMatch(/^stat_ch/);
  });

  it("exact Hessian and Fisher information vanish between different blocks; structured = dense solves", () => {
    const blockOf = new Int32Array(n).fill(-1);
    blocks.forEach((b, j) => {
      for (const p of b) blockOf[p] = j;
    });
    for (const x of points) {
      for (const expected of [false, true]) {
        const h = evaluator.nllHessian(x, new Float64Array(n * n), expected);
        for (let p = 0; p < n; p++) {
          for (let q = 0; q < n; q++) {
            const bp = blockOf[p] as number;
            const bq = blockOf[q] as number;
            if (bp >= 0 && bq >= 0 && bp !== bq) expect(h[p * n + q]).toBe(0);
          }
        }
        const idx = Array.from({ length: n }, (_, i) => i).filter((i) => i !== model.poiIndex);
        const b = Float64Array.from(idx, () => rng.uniform() - 0.5);
        const reference = denseSolve(h, n, idx, b);
        const f = new BlockArrowCholesky(n, blocks);
        expect(f.factorWithShift(h, idx, idx.length, 80, "smallest-diagonal")).toBe(reference.tau);
        expect(f.usedBlocks).toBe(true);
        const xs = Float64Array.from(b);
        f.solveInPlace(xs);
        // Likelihood Hessians span curvatures 1–1e4 (normalisations vs constrained nuisances):
        // condition numbers up to ~1e4–1e6, so 1e-10 of the solution's scale is the rounding of
        // two different elimination orders, far below anything a Newton step resolves.
        expect(relativeDifference(xs, reference.x)).toBeLessThan(1e-10);
      }
    }
  });

  it("a projected-Newton fit with the block-arrow factoriser ends where the dense one does", () => {
    const fixed = model.suggestedFixed.map((f, i) => f || i === model.poiIndex);
    const x0 = Float64Array.from(model.suggestedInit);
    x0[model.poiIndex] = 1.5;
    const problem = {
      objective: (x: Float64Array, g?: Float64Array) => evaluator.nll(x, g),
      hessian: (x: Float64Array) => evaluator.nllHessian(x),
      x0,
      lower: model.suggestedBounds.map((b) => b[0]),
      upper: model.suggestedBounds.map((b) => b[1]),
      fixed,
    };
    const dense = minimize(problem);
    const arrow = minimize({ ...problem, hessianFactoriser: new BlockArrowCholesky(n, blocks) });
    expect(dense.converged && arrow.converged).toBe(true);
    // Both converge quadratically to the same minimum: NLLs equal to rounding (1e-12 relative on an
    // NLL of a few hundred), parameters to the accuracy of the fit (gradient tolerance 1e-9).
    expect(Math.abs(arrow.fun - dense.fun)).toBeLessThan(1e-12 * Math.abs(dense.fun));
    for (let i = 0; i < n; i++) expect(Math.abs((arrow.x[i] as number) - (dense.x[i] as number))).toBeLessThan(1e-7);
    expect(Math.abs(arrow.iterations - dense.iterations)).toBeLessThanOrEqual(1);
  });
});

describe("hessianBlocks() with shapesys, shapefactor and a one-bin channel", () => {
  // Channel "A" (3 bins): staterror and a shapesys on the background (two γ's per bin, one block
  // per bin), a shapefactor on the signal (one more per bin), a normsys shared with channel "B".
  // Channel "B" (1 bin): its own normsys acts on that one bin only (a block of its own bin).
  const spec = {
    channels: [
      {
        name: "A",
        samples: [
          {
            name: "signal",
            data: [5, 3, 1],
            modifiers: [
              { name: "mu", type: "normfactor", data: null },
              { name: "sf", type: "shapefactor", data: null },
            ],
          },
          {
            name: "bkg",
            data: [50, 40, 30],
            modifiers: [
              { name: "stat", type: "staterror", data: [3, 2, 2] },
              { name: "shape", type: "shapesys", data: [5, 4, 3] },
              { name: "shared", type: "normsys", data: { hi: 1.1, lo: 0.9 } },
            ],
          },
        ],
      },
      {
        name: "B",
        samples: [
          {
            name: "bkg",
            data: [100],
            modifiers: [
              { name: "shared", type: "normsys", data: { hi: 1.05, lo: 0.95 } },
              { name: "own", type: "normsys", data: { hi: 1.2, lo: 0.8 } },
            ],
          },
        ],
      },
    ],
    observations: [
      { name: "A", data: [58, 41, 33] },
      { name: "B", data: [97] },
    ],
    measurements: [
      {
        name: "m",
        config: {
          poi: "mu",
          parameters: [
            {
              name: "sf",
              bounds: [
                [0.1, 5],
                [0.1, 5],
                [0.1, 5],
              ],
              inits: [1, 1, 1],
            },
          ],
        },
      },
    ],
    version: "1.0.0",
  };
  const model = new Workspace(spec).model();
  const n = model.nPar;
  const name = (p: number) => model.parameterNames[p] as string;

  it("groups every parameter acting on one bin by that bin; shared ones and μ stay in the rest", () => {
    const blocks = model.hessianBlocks().map((b) => b.map(name).sort());
    // Per bin of channel A: its shapefactor, shapesys and staterror γ (bins in model order).
    const groupOf = (suffix: string) => blocks.find((b) => b.includes(`sf[${suffix}]`));
    for (const bin of ["0", "1", "2"]) {
      expect(groupOf(bin)).toEqual([`sf[${bin}]`, `shape[${bin}]`, `stat[${bin}]`].sort());
    }
    expect(blocks).toContainEqual(["own"]);
    expect(blocks.flat()).not.toContain("mu");
    expect(blocks.flat()).not.toContain("shared");
    expect(blocks.length).toBe(4);
  });

  it("solves its exact and Fisher Hessians like dense Cholesky (blocks of three)", () => {
    const blocks = model.hessianBlocks();
    const evaluator = model.evaluator({ main: model.observed, aux: model.auxdata });
    const rng = new Random(9);
    const x = Float64Array.from(model.suggestedInit, (v, i) => {
      const [lo, hi] = model.suggestedBounds[i] as readonly [number, number];
      return Math.min(hi, Math.max(lo, v + 0.2 * (rng.uniform() - 0.5)));
    });
    for (const expected of [false, true]) {
      const h = evaluator.nllHessian(x, new Float64Array(n * n), expected);
      const idx = Array.from({ length: n }, (_, i) => i);
      const b = Float64Array.from(idx, () => rng.uniform() - 0.5);
      const reference = denseSolve(h, n, idx, b);
      const f = new BlockArrowCholesky(n, blocks);
      expect(f.factorWithShift(h, idx, n, 80, "smallest-diagonal")).toBe(reference.tau);
      expect(f.usedBlocks).toBe(true);
      const xs = Float64Array.from(b);
      f.solveInPlace(xs);
      // As above: two elimination orders of a likelihood Hessian agree to rounding times its
      // condition number.
      expect(relativeDifference(xs, reference.x)).toBeLessThan(1e-10);
    }
  });
});
