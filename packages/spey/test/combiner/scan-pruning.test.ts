/**
 * The pruning of the uncorrelated combiner's global scan (issue #16): P(μ) = C(μ) + N(μ), C the sum
 * of the members certified convex, N ≥ the non-convex members' own free-fit minima. `pruneScan`
 * drops the μ beyond a trial point y where C(y) ≥ C(x₀) and C(y) + floor > P(x₀). Checked here
 * against the mathematics it relies on, with the members' public profiles:
 *
 * - soundness: on seeded random combinations (uncorrelated-background members with effective-σ or
 *   correlated third-moment members), every μ of a dense grid outside the returned region has
 *   P(μ) above P(x₀), and every end's lower bound is ≤ P there — from the true minimum x₀ and from
 *   points beside it;
 * - it prunes on most of those combinations (the test cannot pass by pruning nothing);
 * - in the combined free fit of a reference combination with an effective-σ member, that member's
 *   profile is asked at two μ only (the Asimov data's generating point and the start), not at the
 *   unpruned scan's 13 grid points.
 */
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../src/core/logger.js";
import { QTILDE } from "../../src/inference/test-statistics.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";
import { type ConvexSplit, pruneScan } from "../../src/fit/poi-global-minimum.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";
import { mulberry32 as generator } from "../support/mulberry32.js";
import { type MemberKind, randomMember } from "./random-bins.js";
import { referenceMembers } from "./reference-members.js";

/** A convex member (uncorrelated background) or a non-convex one (effective σ, correlated third moment). */
function member(rand: () => number, kind: MemberKind, analysis: string): StatisticalModel {
  return randomMember(rand, kind, analysis, { maxBins: 2, correlation: 0.5 });
}

/**
 * Slack (NLL units) of the comparisons with P: the members' conditional and free fits are exact to
 * ~1e-9 each (their stopping rules), so sums of three agree to a few 1e-9; a wrong pruning puts P
 * below P(x₀) by far more (the pruned regions are where C alone rises by ≥ 1e-6 over the level).
 */
const SLACK = 1e-7;
/** Grid points of the soundness check over the scan range. */
const GRID = 201;
/** Seeded combinations. */
const COMBINATIONS = 18;

describe("UnCorrStatisticsCombiner: pruning of the global scan", () => {
  setLogHandler(() => {});

  it("never drops a μ where P is below the local minimum, and prunes on most combinations", () => {
    const rand = generator(11);
    let prunedCases = 0;
    let checks = 0;
    for (let t = 0; t < COMBINATIONS; t++) {
      const kinds: ("convex" | "sigma" | "moment")[] =
        t % 3 === 2 ? ["convex", "convex", t % 2 ? "sigma" : "moment"] : ["convex", t % 2 ? "sigma" : "moment"];
      const models = kinds.map((k, i) => member(rand, k, `A${t}_${i}`));
      const convex = models.map((m) => m.backend.profileConvexInPoi?.() === true);
      // the split needs one certified and one uncertified member (a correlated 1-bin moment is convex)
      if (convex.every(Boolean) || !convex.some(Boolean)) continue;
      const combiner = new UnCorrStatisticsCombiner(...models);
      const P = (mu: number) => models.reduce((s, m) => s + m.likelihood({ poiTest: mu }), 0);
      const C = (mu: number) => models.reduce((s, m, k) => s + (convex[k] ? m.likelihood({ poiTest: mu }) : 0), 0);
      const [muhat] = combiner.maximizeLikelihood({ allowNegativeSignal: true });
      const a = Math.max(combiner.minimumPoi, muhat - 3);
      const b = muhat + 3;
      let floor = 0;
      let curvature = 0;
      models.forEach((m, k) => {
        const config = m.config({ allowNegativeSignal: true });
        const [lo, hi] = config.suggestedBounds[config.poiIndex] as readonly [number, number];
        if (convex[k]) {
          curvature += 1 / m.sigmaMu({ poiTest: 1 }) ** 2;
          return;
        }
        // the member's free-fit minimum bounds its profile only within its bounds of μ
        floor += lo <= a && hi >= b ? m.maximizeLikelihood({ allowNegativeSignal: true })[1] : Number.NaN;
      });
      const split: ConvexSplit = { convexNll: C, floor, curvature };
      const sigmaMin = 0.2;
      for (const x0 of [muhat, muhat - 0.3, muhat + 0.4]) {
        if (x0 < a) continue;
        const local = { x: x0, fun: P(x0) };
        const region = pruneScan(split, local, a, b, sigmaMin);
        if (!region) continue;
        if (x0 === muhat) prunedCases++;
        expect(region.lower).toBeLessThanOrEqual(x0);
        expect(region.upper).toBeGreaterThanOrEqual(x0);
        for (const [y, bound] of region.ends) {
          expect(bound, `end ${y} of case ${t}`).toBeLessThanOrEqual(P(y) + SLACK);
          expect(bound).toBeGreaterThan(local.fun);
        }
        for (let i = 0; i < GRID; i++) {
          const mu = a + ((b - a) * i) / (GRID - 1);
          if (mu >= region.lower && mu <= region.upper) continue;
          checks++;
          expect(P(mu), `μ = ${mu} pruned in case ${t} from x0 = ${x0}`).toBeGreaterThan(local.fun - SLACK);
        }
      }
    }
    // most combinations prune from their minimum, and the soundness loop saw many pruned μ
    expect(prunedCases).toBeGreaterThanOrEqual(8);
    expect(checks).toBeGreaterThan(1000);
  });

  it("prunes nothing without a floor, and both sides of a parabola just beyond its level", () => {
    const split: ConvexSplit = { convexNll: (mu) => mu * mu, floor: Number.NaN, curvature: 2 };
    expect(pruneScan(split, { x: 0, fun: 0.01 }, -1, 1, 0.5)).toBeUndefined();
    // with a floor of 0, C + 0 > 0.01 beyond √0.01 = 0.1 on both sides
    const region = pruneScan({ ...split, floor: 0 }, { x: 0, fun: 0.01 }, -1, 1, 0.5);
    expect(region).toBeDefined();
    expect(region?.lower).toBeLessThan(-0.1);
    expect(region?.upper).toBeGreaterThan(0.1);
    expect(region?.upper).toBeLessThan(0.5);
    for (const [y, bound] of region?.ends ?? []) expect(bound).toBeCloseTo(y * y, 12);
  });

  it("fits an effective-σ member at few μ in the combined free fit of a reference combination", () => {
    const models = referenceMembers("combiner-3models-04");
    const sigma = models.find((m) => m.backend.profileConvexInPoi?.() !== true) as StatisticalModel;
    const seen = new Set<number>();
    const prepare = sigma.profileLikelihood.prepare.bind(sigma.profileLikelihood);
    (sigma.profileLikelihood as { prepare: typeof prepare }).prepare = (settings) => {
      const prep = prepare(settings);
      return Object.assign(Object.create(prep), {
        logpdf: (mu: number) => {
          seen.add(mu);
          return prep.logpdf(mu);
        },
      });
    };
    const combiner = new UnCorrStatisticsCombiner(...models);
    const fit = combiner.profileLikelihood.prepare({ expected: "observed", statistic: QTILDE }).fit;
    expect(fit.muhat).toBeGreaterThan(0);
    // μ = 0 (the Asimov data's generating point, fitted for the test) and the start, whose Newton
    // point the members' curvatures certify (one-fit-start.test.ts: no value checks at ±1e-4σ, no
    // second Newton point); the unpruned scan added 13 grid points
    expect(seen.size).toBe(2);
  });
});
