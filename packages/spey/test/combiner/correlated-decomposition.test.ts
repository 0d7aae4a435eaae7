/**
 * default.correlated_combiner's fit hook (issue #16): a conditional fit whose free parameters each
 * belong to one member (only μ shared, and fixed) is the sum of the members' own conditional fits,
 * log L(p) = Σ_m log L_m(p[I_m]) with disjoint free sets. Checked on the reference combinations:
 * the combination's profile equals the sum of the members' profiles (their public `likelihood`),
 * is never above the generic joint fit of all parameters, and its CLs equals that of the
 * UnCorrStatisticsCombiner of the same members; a shared nuisance makes the hook decline.
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
