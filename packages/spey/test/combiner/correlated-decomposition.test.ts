/**
 * default.correlated_combiner's fit hook (issue #16): a conditional fit whose free parameters each
 * belong to one member (only μ shared, and fixed) is the sum of the members' own conditional fits,
 * log L(p) = Σ_m log L_m(p[I_m]) with disjoint free sets. Checked on the reference combinations:
 * the combination's profile equals the sum of the members' profiles (their public `likelihood`),
 * is never above the generic joint fit of all parameters, and its CLs equals that of the
 * UnCorrStatisticsCombiner of the same members; a shared nuisance makes the hook decline. A free
 * fit from a caller's start with convex members only is the minimum of the summed profile over μ
 * (checked against a dense scan of the members' profiles and the joint fit); μ̂, limits and
 * significances equal the UnCorrStatisticsCombiner's; a non-convex member leaves it to the joint fit.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../src/core/logger.js";
import { fitModel } from "../../src/fit/fit.js";
import { getBackend } from "../../src/model/get-backend.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";

interface ReferenceCase {
  id: string;
  backend: string;
  construct: { error?: unknown };
  kwargs: { models: { backend: string; analysis: string; kwargs: Record<string, unknown> }[] };
}
const reference = JSON.parse(readFileSync(new URL("../fixtures/spey-reference.json", import.meta.url), "utf8")) as {
  cases: ReferenceCase[];
};
const cases = reference.cases.filter((c) => c.backend === "UnCorrStatisticsCombiner" && !c.construct.error);

/** Snake-case reference arguments as the registry's factories take them (camelCase). */
function camel(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]),
  );
}
const members = (c: ReferenceCase): StatisticalModel[] =>
  c.kwargs.models.map((m) => getBackend(m.backend)({ ...camel(m.kwargs), analysis: m.analysis }));
const correlated = (models: StatisticalModel[]): StatisticalModel =>
  getBackend("default.correlated_combiner")({ statisticalModels: models, sharedParameters: ["mu"] });

/** Members' profiles are exact to ~1e-9 in NLL (their fits' stopping rules); sums of 2–3 of them. */
const NLL_TOLERANCE = 1e-7;
/** CLs from two free-fit algorithms on the same likelihood (their μ̂ agree to ~1e-6 σ). */
const CLS_TOLERANCE = 1e-5;

describe("default.correlated_combiner: conditional fits split into the members' own", () => {
  setLogHandler(() => {});

  it("the combination's profile at fixed μ is the sum of the members' profiles and never above the joint fit", () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      const models = members(c);
      const combined = correlated(models);
      const config = combined.backend.config();
      for (const mu of [0, 0.5, 1, 2]) {
        const sum = models.reduce((s, m) => s + m.likelihood({ poiTest: mu }), 0);
        const nll = combined.likelihood({ poiTest: mu });
        expect(Math.abs(nll - sum), `${c.id} μ = ${mu}`).toBeLessThan(NLL_TOLERANCE);
        // the generic optimiser on all parameters at once (plain fitModel never asks the hook)
        const joint = fitModel({
          backend: combined.backend,
          config,
          expected: "observed",
          fixed: new Map([[config.poiIndex, mu]]),
        });
        expect(nll, `${c.id} μ = ${mu}`).toBeLessThanOrEqual(joint.nll + NLL_TOLERANCE);
      }
    }
  });

  it("CLs and the expected band equal the UnCorrStatisticsCombiner's on the same members", () => {
    for (const c of cases) {
      const a = correlated(members(c)).exclusionConfidenceLevel({ expected: "all" });
      const b = new UnCorrStatisticsCombiner(...members(c)).exclusionConfidenceLevel({ expected: "all" });
      for (let k = 0; k < 2; k++) {
        const x = a[k] as number[];
        const y = b[k] as number[];
        expect(x.length).toBe(y.length);
        x.forEach((v, i) => expect(Math.abs(v - (y[i] as number)), `${c.id}`).toBeLessThan(CLS_TOLERANCE));
      }
    }
  });

  it("declines a shared nuisance (the free parameters are then coupled)", () => {
    const make = (analysis: string) =>
      getBackend("default.uncorrelated_background")({
        signalYields: [2],
        backgroundYields: [5],
        data: [6],
        absoluteUncertainties: [1],
        analysis,
      });
    const [a, b] = [make("A"), make("B")];
    const combined = getBackend("default.correlated_combiner")({
      statisticalModels: [a, b],
      sharedParameters: ["mu", { name: "theta", members: { A: 1, B: 1 } }],
    }) as StatisticalModel;
    const backend = combined.backend;
    const config = backend.config();
    const request = { fixed: new Map([[config.poiIndex, 1]]), expected: "observed" as const };
    expect(backend.bestFit?.(request)).toBeUndefined();
    // sharing only μ, the same request is answered by the members
    const split = getBackend("default.correlated_combiner")({
      statisticalModels: [make("A"), make("B")],
      sharedParameters: ["mu"],
    }) as StatisticalModel;
    const splitConfig = split.backend.config();
    const answer = split.backend.bestFit?.({ fixed: new Map([[splitConfig.poiIndex, 1]]), expected: "observed" });
    expect(answer?.global).toBe(true);
    expect(Math.abs((answer?.nll as number) - 2 * a.likelihood({ poiTest: 1 }))).toBeLessThan(NLL_TOLERANCE);
  });
});

/** A scan of Σ members' profiles on this many points of [lower, min(upper, 5)] (every reference μ̂ lies below 5). */
const SCAN_POINTS = 1001;

/** min over a dense grid of Σ_m NLL_m(μ): the members' public profiles, no combiner code. */
function scanMinimum(models: readonly StatisticalModel[], lower: number, upper: number): number {
  let best = Number.POSITIVE_INFINITY;
  const hi = Math.min(upper, 5);
  for (let i = 0; i < SCAN_POINTS; i++) {
    const mu = lower + ((hi - lower) * i) / (SCAN_POINTS - 1);
    best = Math.min(
      best,
      models.reduce((s, m) => s + m.likelihood({ poiTest: mu }), 0),
    );
  }
  return best;
}

/** A free-fit request from a caller's start μ = `mu` (the other parameters at their suggested values). */
function freeRequest(backend: StatisticalModel["backend"], mu: number, allowNegativeSignal: boolean) {
  const config = backend.config();
  const initPars = Float64Array.from(config.suggestedInit);
  initPars[config.poiIndex] = mu;
  return { fixed: new Map<number, number>(), allowNegativeSignal, expected: "observed" as const, initPars };
}

/** Whether every member's profile is certified convex in μ (the hook's free-fit condition). */
const convexMembers = (models: readonly StatisticalModel[]) =>
  models.every((m) => m.backend.profileConvexInPoi?.() === true);

describe("default.correlated_combiner: free fits with only μ shared", () => {
  setLogHandler(() => {});

  it("from a caller's start, convex members' free fit is the 1D profile minimum: ≤ a dense scan and the joint fit", () => {
    let answered = 0;
    for (const c of cases) {
      const models = members(c);
      const combined = correlated(models);
      const backend = combined.backend;
      for (const allow of [true, false]) {
        const [lower, upper] = backend.config({ allowNegativeSignal: allow }).suggestedBounds[
          backend.config().poiIndex
        ] as [number, number];
        const scan = scanMinimum(models, lower, upper);
        const joint = fitModel({
          backend,
          config: backend.config({ allowNegativeSignal: allow }),
          expected: "observed",
          fixed: new Map(),
        });
        for (const start of [0.5, 2]) {
          const answer = backend.bestFit?.(freeRequest(backend, start, allow));
          if (!convexMembers(models)) {
            // a non-convex sum would need a scan of μ: the joint fit decides
            expect(answer, c.id).toBeUndefined();
            continue;
          }
          answered++;
          expect(answer?.global, c.id).toBe(true);
          expect(answer?.converged, c.id).toBe(true);
          const nll = answer?.nll as number;
          // the global minimum: at or below every grid point, and equal to the joint fit (a convex problem)
          expect(nll, `${c.id} allow=${allow} start=${start}`).toBeLessThanOrEqual(scan + NLL_TOLERANCE);
          expect(Math.abs(nll - joint.nll), `${c.id} allow=${allow} start=${start}`).toBeLessThan(NLL_TOLERANCE);
          // the returned point is the members' conditional fits at μ̂: its NLL is the combination's there
          const logpdf = backend.getLogpdfFunc({ expected: "observed" });
          expect(Math.abs(-logpdf(answer?.parameters as Float64Array) - nll), c.id).toBeLessThan(1e-9);
        }
      }
    }
    // five of the eight reference combinations have convex members only
    expect(answered).toBe(20);
  });

  it("μ̂, the upper limit and the significance equal the UnCorrStatisticsCombiner's on the same members", () => {
    /**
     * μ̂ of two fits of the same convex profile: each stops where a Newton step would lower the NLL by
     * < 1e-10, i.e. |δμ| ≲ √(2e-10/h) with curvature h ≳ 1 on these cases.
     */
    const MUHAT_TOLERANCE = 2e-5;
    /** Limits: both searches stop at a relative tolerance of 1e-6 (inference/upper-limit.ts) on CLs that agree to ~1e-7. */
    const LIMIT_RTOL = 1e-4;
    for (const c of cases) {
      const a = correlated(members(c));
      const b = new UnCorrStatisticsCombiner(...members(c));
      for (const allow of [true, false]) {
        const muA = a.maximizeLikelihood({ allowNegativeSignal: allow })[0] as number;
        const muB = b.maximizeLikelihood({ allowNegativeSignal: allow })[0];
        expect(Math.abs(muA - muB), `${c.id} allow=${allow}`).toBeLessThan(MUHAT_TOLERANCE);
      }
      const asimovA = a.maximizeAsimovLikelihood()[0] as number;
      expect(Math.abs(asimovA - b.maximizeAsimovLikelihood()[0]), c.id).toBeLessThan(MUHAT_TOLERANCE);
      const limitA = a.poiUpperLimit();
      const limitB = b.poiUpperLimit();
      expect(Math.abs(limitA - limitB) / limitB, c.id).toBeLessThan(LIMIT_RTOL);
      const [sA, , pA] = a.significance();
      const [sB, , pB] = b.significance();
      expect(Math.abs(sA - sB), c.id).toBeLessThan(CLS_TOLERANCE);
      expect(Math.abs((pA[0] as number) - (pB[0] as number)), c.id).toBeLessThan(CLS_TOLERANCE);
    }
  });

  it("with a non-convex member (effective σ) the joint fit decides, and reaches a dense scan's minimum", () => {
    const nonConvex = cases.filter((c) => c.kwargs.models.some((m) => m.backend === "default.effective_sigma"));
    expect(nonConvex.length).toBeGreaterThanOrEqual(3);
    for (const c of nonConvex) {
      const models = members(c);
      expect(convexMembers(models)).toBe(false);
      const combined = correlated(models);
      for (const allow of [true, false]) {
        const [lower, upper] = combined.backend.config({ allowNegativeSignal: allow }).suggestedBounds[
          combined.backend.config().poiIndex
        ] as [number, number];
        expect(combined.backend.bestFit?.(freeRequest(combined.backend, 0.5, allow)), c.id).toBeUndefined();
        const [, nll] = combined.maximizeLikelihood({ allowNegativeSignal: allow });
        expect(nll, `${c.id} allow=${allow}`).toBeLessThanOrEqual(scanMinimum(models, lower, upper) + NLL_TOLERANCE);
      }
    }
  });
});
