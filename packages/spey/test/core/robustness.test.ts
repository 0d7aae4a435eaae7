/**
 * Regression tests of issue #13 for the library: loops that could not end, arrays too long for a
 * spread, numbers beyond what double precision computes correctly, and error messages that threw
 * while being built.
 */
import { describe, expect, it } from "vitest";
import { maxOf, minOf, pushAll } from "../../src/core/arrays.js";
import { describeValue, isArrayLike } from "../../src/core/describe.js";
import { InputError, InvalidInput, SpeyError } from "../../src/core/errors.js";
import { setLogHandler } from "../../src/core/logger.js";
import { setActivityHandler } from "../../src/core/activity.js";
import { EffectiveSigmaBackground } from "../../src/backends/simplified/backgrounds.js";
import { getBackend } from "../../src/model/get-backend.js";
import { normCdf } from "../../src/math/special.js";

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

const quiet = <T>(fn: () => T): T => {
  setLogHandler(() => {});
  try {
    return fn();
  } finally {
    setLogHandler(null);
  }
};

describe("effective σ: the positivity-domain search ends for any background", () => {
  // b/√k underflowed to 0 for b = 5e-324 and k = σ⁺σ⁻ > 1, and 0 doubled forever.
  const cases: [number, number, number][] = [
    [5e-324, 2, 3],
    [1e-300, 1e49, 1e50],
    [5e-324, 1e-300, 1e200],
  ];
  for (const [b, up, down] of cases) {
    it(`b = ${b}, envelope [${up}, ${down}]: a finite lower bound where the background is still ≥ 0`, () => {
      const model = new EffectiveSigmaBackground(Float64Array.of(b), Float64Array.of(up), Float64Array.of(down));
      const [lower, upper] = model.domain(0);
      expect(upper).toBe(Number.POSITIVE_INFINITY);
      expect(Number.isFinite(lower) && lower <= 0).toBe(true);
      const value = new Float64Array(1);
      model.evaluate(Float64Array.of(lower), 0, value, null, null);
      expect(value[0]).toBeGreaterThanOrEqual(0);
      // Beyond the bound (twice as far, plus a margin) the background is negative: the bound is tight.
      model.evaluate(Float64Array.of(2 * lower - 1e-300), 0, value, null, null);
      expect(value[0]).toBeLessThan(0);
    });
  }

  it("a model with a 5e-324 background computes, and equals the one with 1e-300 (both negligible)", () => {
    const build = (b: number) =>
      getBackend("default.effective_sigma")({
        signalYields: [1],
        backgroundYields: [b],
        data: [1],
        correlationMatrix: [[1]],
        absoluteUncertaintyEnvelops: [[2, 3]],
      });
    const [tiny, small] = quiet(() => [build(5e-324), build(1e-300)]).map((m) =>
      m.exclusionConfidenceLevel({ expected: "all" }),
    );
    const flat = (r: number[][]) => r.flat();
    for (const x of flat(tiny as number[][])) expect(Number.isFinite(x)).toBe(true);
    // The two backgrounds differ by 1e-300 events: the likelihoods agree to the fit tolerance (~1e-9).
    flat(tiny as number[][]).forEach((x, i) => expect(x).toBeCloseTo(flat(small as number[][])[i] as number, 8));
  });

  it("an envelope wider than the Poisson range is an input error naming the argument", () => {
    const error = errorOf(() =>
      getBackend("default.effective_sigma")({
        signalYields: [1],
        backgroundYields: [1e-300],
        data: [1],
        correlationMatrix: [[1]],
        absoluteUncertaintyEnvelops: [[1e50, 1e50]],
      }),
    );
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error.message).toContain("absoluteUncertaintyEnvelops");
  });
});

describe("arrays of any length (no spread into function arguments)", () => {
  it("maxOf, minOf and pushAll handle a million entries", () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(maxOf(values)).toBe(values.reduce((a, b) => Math.max(a, b)));
    expect(minOf(values)).toBe(values.reduce((a, b) => Math.min(a, b)));
    expect(pushAll([1], values)).toHaveLength(1_000_001);
    expect(maxOf([])).toBe(Number.NEGATIVE_INFINITY);
  });

  it("a 5,000-bin uncorrelated model gives the limit of its only signal bin (bins with data = background do not move)", () => {
    const n = 5000;
    const big = getBackend("default.uncorrelated_background")({
      signalYields: Array.from({ length: n }, (_, i) => (i === 0 ? 5 : 0)),
      backgroundYields: Array.from({ length: n }, (_, i) => 10 + (i % 7)),
      data: Array.from({ length: n }, (_, i) => (i === 0 ? 12 : 10 + (i % 7))),
      absoluteUncertainties: Array.from({ length: n }, (_, i) => 1 + (i % 3)),
    });
    const one = getBackend("default.uncorrelated_background")({
      signalYields: [5],
      backgroundYields: [10],
      data: [12],
      absoluteUncertainties: [1],
    });
    // Profiles of the other bins sit at θ = 0 in every fit, so they cancel in q_μ: the limits agree
    // to the root-finder tolerance (rtol 1e-6).
    expect(big.poiUpperLimit()).toBeCloseTo(one.poiUpperLimit(), 5);
    expect(big.exclusionConfidenceLevel()[0]).toBeCloseTo(one.exclusionConfidenceLevel()[0] as number, 8);
  });
});

describe("numbers beyond what double precision computes correctly are input errors", () => {
  /** 1 − CLs of one Poisson bin without uncertainty when n = b (q̃μ = qμ = q_{μ,A}): 1 − 2Φ(−√q). */
  function exactOneBin(n: number, s: number): number {
    const d = s / n;
    const q = 2 * n * (d - Math.log1p(d));
    return 1 - 2 * normCdf(-Math.sqrt(q));
  }

  it("a Poisson bin of 10⁹ events matches the exact formula; above that the count is rejected", () => {
    const n = 1e9;
    const s = 2 * Math.sqrt(n);
    const model = getBackend("default.poisson")({ signalYields: [s], backgroundYields: [n], data: [n] });
    const got = model.exclusionConfidenceLevel()[0] as number;
    const exact = exactOneBin(n, s);
    // CLs itself (1 − value ≈ 0.045) to 2e-6 relative: the cancellation error at 10⁹ is ~5e-7.
    expect(Math.abs(got - exact) / (1 - exact)).toBeLessThan(2e-6);
    for (const backend of ["default.poisson", "default.uncorrelated_background", "default.correlated_background"]) {
      const error = errorOf(() =>
        getBackend(backend)({
          signalYields: [1, 1],
          backgroundYields: [50, 48],
          data: [1.797e308, 33],
          absoluteUncertainties: [10, 12],
          covarianceMatrix: [
            [100, 0],
            [0, 144],
          ],
        }),
      );
      expect(error).toBeInstanceOf(InvalidInput);
      expect(error.message).toMatch(/^data\[0\] = 1\.797e\+308 is beyond 1000000000 events/);
    }
  });

  it("Gaussian models reject values whose squares overflow and uncertainties below the rounding of the residual", () => {
    const mvn = errorOf(() =>
      getBackend("default.multivariate_normal")({
        signalYields: [12, 15],
        backgroundYields: [50, 48],
        data: [1.797e308, 33],
        covarianceMatrix: [
          [144, 19],
          [19, 256],
        ],
      }),
    );
    expect(mvn).toBeInstanceOf(InvalidInput);
    expect(mvn.message).toContain("data[0] = 1.797e+308");
    const narrow = errorOf(() =>
      getBackend("default.normal")({
        signalYields: [1],
        backgroundYields: [1e30],
        data: [1e30],
        absoluteUncertainties: [1e15],
      }),
    );
    expect(narrow).toBeInstanceOf(InvalidInput);
    expect(narrow.message).toContain("below 1e-10");
  });
});

describe("error messages describe any value without throwing", () => {
  let deep: unknown = [];
  for (let i = 0; i < 10_000; i++) deep = [deep];
  const args = (signalYields: unknown) => ({
    signalYields,
    backgroundYields: [2],
    data: [1],
    absoluteUncertainties: [1.1],
  });

  it.each([
    ["a BigInt", [10n], "signalYields[0] must be a finite number; got 10n (a BigInt; give a number)."],
    ["JSON's 1e999 (Infinity)", [Number.POSITIVE_INFINITY], "got Infinity (beyond the largest double, ±1.8e308)"],
    ["10,000 levels of nesting", deep, "signalYields[0] must be a finite number; got [[[…1 items]]]."],
    ["an object with a length", { length: 1e10 }, 'must be an array of numbers; got {"length": 10000000000}.'],
    ["a string", "1,2", 'got "1,2"'],
  ])("%s", (_what, value, message) => {
    const error = errorOf(() => getBackend("default.uncorrelated_background")(args(value)));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(message);
  });

  it("describeValue never throws and stays short", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no");
        },
      },
    );
    for (const v of [cyclic, hostile, deep, "x".repeat(1e6), Symbol("s"), () => 1, -0, Number.NaN, null]) {
      const text = describeValue(v);
      expect(typeof text).toBe("string");
      expect(text.length).toBeLessThan(200);
    }
    expect(describeValue(-0)).toBe("-0");
    expect(describeValue(hostile)).toBe("an unreadable value");
  });

  it("only real arrays and typed arrays are arrays", () => {
    expect(isArrayLike([1])).toBe(true);
    expect(isArrayLike(Float64Array.of(1))).toBe(true);
    expect(isArrayLike({ length: 1 })).toBe(false);
    expect(isArrayLike("ab")).toBe(false);
    expect(isArrayLike(new DataView(new ArrayBuffer(2)))).toBe(false);
    expect(errorOf(() => getBackend("default.poisson")(args({ length: 1e10 })))).toBeInstanceOf(SpeyError);
  });
});

describe("upper limits of very large and very small signals", () => {
  const base = { backgroundYields: [2.0, 5], data: [1, 6] };
  const models: [string, Record<string, unknown>, number[]][] = [
    ["default.uncorrelated_background", { absoluteUncertainties: [1.1, 2] }, [1e12, 1e-12, 1e99]],
    [
      "default.correlated_background",
      {
        covarianceMatrix: [
          [1.21, 0.3],
          [0.3, 4],
        ],
      },
      [1e12, 1e-12, 1e99],
    ],
    [
      "default.third_moment_expansion",
      {
        covarianceMatrix: [
          [1.21, 0.3],
          [0.3, 4],
        ],
        thirdMoment: [0.1, 0.2],
      },
      [1e12, 1e-12],
    ],
    ["default.normal", { absoluteUncertainties: [1.1, 2] }, [1e12, 1e-12, 1e99]],
    // Small signals put μ̂ on spey's upper bound of 10 (kept for parity), which changes q̃μ: only
    // large signals are scale-free for these two.
    [
      "default.effective_sigma",
      {
        correlationMatrix: [
          [1, 0.2],
          [0.2, 1],
        ],
        absoluteUncertaintyEnvelops: [
          [1.1, 0.9],
          [2, 1.5],
        ],
      },
      [1e12],
    ],
    [
      "default.multivariate_normal",
      {
        covarianceMatrix: [
          [1.21, 0.3],
          [0.3, 4],
        ],
      },
      [1e12],
    ],
  ];
  for (const [backend, extra, scales] of models) {
    it(`${backend}: yields ×k give limits ×1/k (k = ${scales.join(", ")})`, () => {
      const limitOf = (k: number) =>
        quiet(() =>
          getBackend(backend)({ signalYields: [0.5 * k, 1.5 * k], ...base, ...extra }).poiUpperLimit({
            expected: "observed",
          }),
        );
      const reference = limitOf(1);
      expect(Number.isFinite(reference)).toBe(true);
      for (const k of scales) {
        const limit = limitOf(k);
        // The model depends on μ·s only, so the limit scales exactly; 1e-5 relative covers the root
        // finder's rtol of 1e-6 and the fits' tolerance.
        expect(Math.abs(limit * k - reference) / reference).toBeLessThan(1e-5);
      }
    });
  }

  it("signals ×1e12 have limits below 1e-11, found (not +∞)", () => {
    const model = getBackend("default.uncorrelated_background")({
      signalYields: [0.5e12],
      backgroundYields: [2],
      data: [1],
      absoluteUncertainties: [1.1],
    });
    const limit = model.poiUpperLimit();
    expect(limit).toBeGreaterThan(1e-12);
    expect(limit).toBeLessThan(1e-11);
    const band = model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }) as number[];
    const unscaled = getBackend("default.uncorrelated_background")({
      signalYields: [0.5],
      backgroundYields: [2],
      data: [1],
      absoluteUncertainties: [1.1],
    }).poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }) as number[];
    // Each expected limit is the unscaled one ×1e-12 (1e-5 relative: root finder and fits).
    band.forEach((x, i) =>
      expect(Math.abs(x * 1e12 - (unscaled[i] as number)) / (unscaled[i] as number)).toBeLessThan(1e-5),
    );
  });

  it("backends that fit μ with the optimiser refuse signals far beyond their count scale, naming the remedy", () => {
    const poisson = errorOf(() =>
      getBackend("default.poisson")({
        signalYields: [1e8],
        backgroundYields: [5],
        data: [6],
        absoluteUncertainties: [2],
      }),
    );
    expect(poisson).toBeInstanceOf(InvalidInput);
    expect(poisson.message).toMatch(/more than 1000000 times the model's count scale .*\(limits on μ scale inversely/);
    const huge = errorOf(() =>
      getBackend("default.uncorrelated_background")({
        signalYields: [1.797e308],
        backgroundYields: [2],
        data: [0],
        absoluteUncertainties: [1],
      }),
    );
    expect(huge).toBeInstanceOf(InvalidInput);
    expect(huge.message).toContain("signalYields[0] = 1.797e+308 is beyond ±1e+100");
  });

  // Models of the numeric-extremes fuzz whose expected CLs were NaN while the observed one was a
  // number: now a finite band or an input error.
  const EXTREMES: [string, Record<string, unknown>][] = [
    [
      "default.uncorrelated_background",
      {
        signalYields: [1.254039124804349e-238, 2, 1e300],
        backgroundYields: [999999.9999999994, 1e-10, 1e-20],
        data: [10000, 1000000000, 0],
        absoluteUncertainties: [1e-10, 999999.9999999987, 999999.9999999992],
      },
    ],
    [
      "default.normal",
      {
        signalYields: [999999.9999999984],
        backgroundYields: [0],
        data: [0],
        absoluteUncertainties: [9.64342764364827e-279],
      },
    ],
    [
      // The fuzz suite's significance that was NaN: a variance of 1.49e-321 (a denormal).
      "default.multivariate_normal",
      {
        signalYields: [7.806045635492635e-194],
        backgroundYields: [3.8522292258418455e-179],
        data: [0],
        covarianceMatrix: [[1.49e-321]],
      },
    ],
    [
      "default.third_moment_expansion",
      {
        signalYields: [1.797e308],
        backgroundYields: [1.5142931997472306e-191],
        data: [0],
        covarianceMatrix: [[0.25]],
        thirdMoment: [-2.926707092246612e-255],
      },
    ],
  ];
  it.each(EXTREMES)("%s: expected CLs finite or an input error, never NaN", (backend, args) => {
    let model: ReturnType<ReturnType<typeof getBackend>>;
    try {
      model = quiet(() => getBackend(backend)(args));
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return;
    }
    const [observed, expected] = quiet(() => model.exclusionConfidenceLevel({ expected: "all" }));
    for (const x of [...observed, ...expected]) expect(Number.isFinite(x)).toBe(true);
    const [sqrtQ0A, sqrtQ0] = quiet(() => model.significance());
    expect(Number.isFinite(sqrtQ0A) && Number.isFinite(sqrtQ0)).toBe(true);
  });

  it("a CLs plateau (μ̂ on its bound of 10 far below a 9e6σ excess) is left by geometric steps, not crept along", () => {
    // The fuzz suite's slow inputs: CLs = 0.5 exactly for μ from 10 up to ≈ 2n (where the profile
    // at μ passes the one at the bound), so the root variable did not move and the σ-extrapolation
    // crept for 10,000 steps (8 s) before giving up with a warning.
    const model = getBackend("default.normal")({
      signalYields: [1],
      backgroundYields: [0],
      data: [2 ** 53],
      absoluteUncertainties: [1e9],
    });
    let fits = 0;
    setActivityHandler(() => {
      fits += 1;
    });
    const warnings: string[] = [];
    setLogHandler((r) => warnings.push(r.message));
    try {
      const limit = model.poiUpperLimit({ confidenceLevel: 0.9 });
      // q̃μ with μ̂ = 10 is 0 until the Gaussian likelihood at μ falls below the one at 10, at
      // μ = 2n − 10, and CLs drops below 0.1 within ~100 of it (q_{μ,A} = (μ/σ)² is huge): the
      // limit is 2n to the root search's relative tolerance (rtol 1e-6).
      expect(Math.abs(limit / 2 ** 54 - 1)).toBeLessThan(1e-6);
      expect(warnings).toEqual([]);
      // Each evaluation fits at least once; the plateau took 10,000 evaluations before.
      expect(fits).toBeLessThan(1000);
    } finally {
      setActivityHandler(null);
      setLogHandler(null);
    }
  });
});
