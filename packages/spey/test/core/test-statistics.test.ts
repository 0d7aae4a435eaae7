import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  computeAsymptoticConfidenceLevel,
  computeToyConfidenceLevel,
} from "../../src/inference/asymptotic-calculator.js";
import {
  computeTestStatistics,
  getTestStatistic,
  q0,
  qmu,
  qmuLeft,
  qmuTilde,
  Q0,
  QMU,
  QMU_LEFT,
  QTILDE,
  TEST_STATISTICS,
  testStatistic,
} from "../../src/inference/test-statistics.js";
import { AsimovTestStatZero, UnknownTestStatistics } from "../../src/core/errors.js";
import { loadReference, num } from "../reference/harness.js";

// Pure formulae: the only error is floating-point rounding, so 1e-12 (issue #2).
const EXACT = 1e-12;

describe("test statistics (arXiv:1007.1727; spey tests, spey's tests #49–#54)", () => {
  const logpdf = () => -10;

  it("q0(μ, μ̂ < 0) = 0 and q0(μ, μ̂ = 1, max = −2) = 16", () => {
    expect(q0(0.7, -1, -3, logpdf)).toBe(0);
    expect(q0(0.7, 1, -2, logpdf)).toBe(16);
  });

  it("qmu and qmuTilde are 0 for μ̂ > μ and 16 for μ = 3, μ̂ = 2, max = −2", () => {
    expect(qmu(1, 2, -10, logpdf)).toBe(0);
    expect(qmu(3, 2, -2, logpdf)).toBe(16);
    expect(qmuTilde(1, 2, -10, logpdf)).toBe(0);
    expect(qmuTilde(3, 2, -2, logpdf)).toBe(16);
  });

  it("qmuTilde uses L(0) as the denominator when μ̂ < 0 (eq. 16)", () => {
    const lp = (mu: number) => (mu === 0 ? -4 : -10);
    expect(qmuTilde(1, -0.5, -1, lp)).toBe(12);
    expect(qmu(1, -0.5, -1, lp)).toBe(18);
  });

  it("qmuLeft is the mirror image of qmu", () => {
    expect(qmuLeft(3, 2, -2, logpdf)).toBe(0);
    expect(qmuLeft(1, 2, -2, logpdf)).toBe(16);
  });

  it("getTestStatistic resolves aliases and rejects unknown names with UnknownTestStatistics", () => {
    expect(getTestStatistic("qmu")).toBe(qmu);
    expect(getTestStatistic("q")).toBe(qmu);
    expect(getTestStatistic("qmutilde")).toBe(qmuTilde);
    expect(getTestStatistic("q0")).toBe(q0);
    expect(() => getTestStatistic("bla")).toThrow(UnknownTestStatistics);
    expect(() => getTestStatistic("bla")).toThrow(/Requested test statistics bla does not exist/);
  });

  it("computeTestStatistics: √q = 4, √qA = √14, Δ = (16 − 14)/(2√14) (eq. 66 branch)", () => {
    const out = computeTestStatistics(
      3,
      { muhat: 2, nll: 2 },
      () => -10,
      { muhat: 2, nll: 1 },
      () => -8,
      "qtilde",
    );
    expect(out.sqrtQmu).toBe(4);
    expect(out.sqrtQmuA).toBeCloseTo(3.7416573867739413, 15);
    expect(Math.abs(out.delta - 0.2672612419124244)).toBeLessThan(EXACT);
  });

  it("computeTestStatistics: √q ≤ √qA gives Δ = √q − √qA", () => {
    const out = computeTestStatistics(
      3,
      { muhat: 2, nll: 2 },
      () => -10,
      { muhat: 2, nll: 1 },
      () => -12,
      "qtilde",
    );
    expect(out.sqrtQmu).toBe(4);
    expect(Math.abs(out.sqrtQmuA - 4.69041575982343)).toBeLessThan(EXACT);
    expect(Math.abs(out.delta + 0.6904157598234297)).toBeLessThan(EXACT);
  });

  it("computeTestStatistics raises AsimovTestStatZero when √qA = 0 in the q̃ branch", () => {
    expect(() =>
      computeTestStatistics(
        1,
        { muhat: 0, nll: 0 },
        () => -2,
        { muhat: 1, nll: 0 },
        () => 0,
        "qtilde",
      ),
    ).toThrow(AsimovTestStatZero);
  });

  it("the guard raises AsimovTestStatZero below the tolerance, not above", () => {
    const asimov = (mu: number) => (mu === 1 ? -0.5 * 1e-8 : 0); // √qA = 1e-4
    const call = (tol: number) =>
      computeTestStatistics(1, { muhat: 0, nll: 0 }, () => -2, { muhat: 0, nll: 0 }, asimov, "qtilde", tol);
    expect(() => call(1e-3)).toThrow(AsimovTestStatZero);
    expect(call(1e-5).sqrtQmuA).toBeCloseTo(1e-4, 12);
  });
});

describe("asymptotic and toy CLs formulae (spey's `compute_asymptotic_confidence_level`, §20.2 #46–#48)", () => {
  it("computeAsymptoticConfidenceLevel(1, 2, qtilde): CLs = Φ(−3)/Φ(−2)", () => {
    const [obs, exp] = computeAsymptoticConfidenceLevel(1, 2, "qtilde");
    expect(Math.abs((obs[0] as number) - 0.05933583307142766)).toBeLessThan(EXACT);
    const ref = [0.05933583307142766, 0.14339349869880672, 0.31731050786291404, 0.5942867086725301, 0.8609310408460745];
    ref.forEach((r, i) => expect(Math.abs((exp[i] as number) - r)).toBeLessThan(EXACT));
  });

  it("computeAsymptoticConfidenceLevel(1, 2, q0) returns p_{s+b}", () => {
    const [obs, exp] = computeAsymptoticConfidenceLevel(1, 2, "q0");
    expect(Math.abs((obs[0] as number) - 0.001349898031630116)).toBeLessThan(EXACT);
    const ref = [0.001349898031630116, 0.02275013194817923, 0.15865525393145702, 0.5, 0.841344746068543];
    ref.forEach((r, i) => expect(Math.abs((exp[i] as number) - r)).toBeLessThan(EXACT));
  });

  it("computeToyConfidenceLevel([2], [1], 1.5) = ([0], [1]*5)", () => {
    expect(computeToyConfidenceLevel([2], [1], 1.5)).toEqual([[0], [1, 1, 1, 1, 1]]);
  });

  it("reproduces every compute_asymptotic_confidence_level call of the Python reference to 1e-12", () => {
    const calls = loadReference().functions.filter((f) => f.function.endsWith("compute_asymptotic_confidence_level"));
    expect(calls.length).toBeGreaterThan(5);
    for (const f of calls) {
      const a = f.args as { sqrt_qmuA: number; delta_test_statistic: number; test_stat: string };
      const [obs, exp] = computeAsymptoticConfidenceLevel(a.sqrt_qmuA, a.delta_test_statistic, a.test_stat);
      const [refObs, refExp] = f.value as [unknown[], unknown[]];
      // Relative 1e-12 on p-values that reach 1e-16: compare with a relative tolerance.
      const close = (x: number, y: number) => Math.abs(x - y) <= EXACT * Math.max(Math.abs(y), 1e-300) + 1e-300;
      expect(close(obs[0] as number, num(refObs[0]))).toBe(true);
      refExp.forEach((r, i) => expect(close(exp[i] as number, num(r)), `${JSON.stringify(a)}[${i}]`).toBe(true));
    }
  });
});

describe("test-statistic records", () => {
  it("names and aliases resolve to one record each; a record passes through", () => {
    expect(testStatistic("qtilde")).toBe(QTILDE);
    expect(testStatistic("qmutilde")).toBe(QTILDE);
    expect(testStatistic("q")).toBe(QMU);
    expect(testStatistic("qmu")).toBe(QMU);
    expect(testStatistic("q0")).toBe(Q0);
    expect(testStatistic("qmu_left")).toBe(QMU_LEFT);
    expect(testStatistic(QMU)).toBe(QMU);
    expect(() => testStatistic("qq")).toThrow(UnknownTestStatistics);
    const names = TEST_STATISTICS.flatMap((t) => [t.name, ...t.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("each record states the Asimov μ, the sign of μ̂, the asymptotic form and what is reported (arXiv:1007.1727)", () => {
    expect([QTILDE, QMU, Q0, QMU_LEFT].map((t) => t.asimovMu)).toEqual([0, 0, 1, 0]);
    expect([QTILDE, QMU, Q0, QMU_LEFT].map((t) => t.muhatMayBeNegative)).toEqual([false, true, false, false]);
    expect([QTILDE, QMU, Q0, QMU_LEFT].map((t) => t.asymptotic)).toEqual([
      "qtilde",
      "difference",
      "difference",
      "difference",
    ]);
    expect([QTILDE, QMU, Q0, QMU_LEFT].map((t) => t.reports)).toEqual(["cls", "cls", "pvalue", "cls"]);
    expect([QTILDE.evaluate, QMU.evaluate, Q0.evaluate, QMU_LEFT.evaluate]).toEqual([qmuTilde, qmu, q0, qmuLeft]);
  });

  it("the calculators ask the record: q0 reports p_{s+b}, q̃μ reports CLs = p_{s+b}/p_b", () => {
    const [[pQ0]] = computeAsymptoticConfidenceLevel(2, 0.5, Q0);
    const [[clsQtilde]] = computeAsymptoticConfidenceLevel(2, 0.5, QTILDE);
    // Same distributions: CLs = p_{s+b}/p_b with p_b = Φ(−Δ) = Φ(−0.5) = 0.3085375387259869.
    expect(Math.abs((clsQtilde as number) * 0.3085375387259869 - (pQ0 as number))).toBeLessThan(EXACT);
  });

  it("library code never compares test-statistic names (the records carry the differences)", () => {
    const src = fileURLToPath(new URL("../../src", import.meta.url));
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
      });
    const offenders = walk(src)
      .filter((f) => !f.endsWith("test-statistics.ts"))
      .filter((f) => /[!=]==\s*"(q|q0|qtilde|qmu|qmutilde|qmu_left)"/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
