/**
 * The `warmStart` argument of the pyhf backends (issue #11: warm starts from neighbouring signal
 * points of a grid). "add" (default) puts the point into every fit's multi-start as one more start;
 * "replace" (opt-in) runs it instead of the cold start from the suggested point and continues
 * profiles warm along μ. On a HEPData-style synthetic analysis (workspace + patch set, the layout
 * of bench/hepdata.js at a smaller size), a chain of signal points each started from its
 * predecessor's best fit must give the limits and CLs of the default (cold starts at every fit).
 */
import { describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../../bench/hepdata-analysis.js";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { PatchSet } from "../../../src/backends/histfactory/patchset.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { countingFits } from "../../support/counting-fits.js";
import { clsSummary, limitSummary } from "../../../src/io/summaries.js";
import { Random } from "../../../src/math/random.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";

const { bkgOnly, patchset } = hepdataAnalysis(new Random(7), {
  regions: 3,
  bins: 3,
  systematics: 12,
  masses: [300, 400, 500],
  lspMasses: [0, 100, 200],
  digest: (w) => new Workspace(w, { sourceText: JSON.stringify(w) }).possibleDigests()[0] as string,
});
const workspace = new Workspace(bkgOnly);
const set = new PatchSet(patchset);
const specs: WorkspaceSpec[] = set.names.map((name) => set.apply(workspace, name, { verify: false }).toJSON());

function modelOf(spec: WorkspaceSpec, warmStart?: unknown): StatisticalModel {
  return new StatisticalModel(
    new PyhfBackend({
      backgroundOnlyModel: spec,
      signalPatch: [],
      ...(warmStart === undefined ? {} : { warmStart: warmStart as never }),
    }),
  );
}

/** The free fit's parameters by name (what `spey batch --warm-start` records for the next point). */
function bestFitOf(model: StatisticalModel): Record<string, number> {
  const names = model.config().parameterNames as readonly string[];
  return model.maximizeLikelihood({ poiIndices: names })[0];
}

// Relative agreement of limits and CLs computed along different start paths (the tolerance of
// test/backends/histfactory/limit-path.test.ts): each fit stops at a projected gradient
// ≤ 1e-9·√|NLL|, so the same minimum reached from different starts differs in NLL by O(1e-18) and
// the limits (roots to rtol 1e-6 along nearly the same μ) and CLs by rounding; 1e-9 leaves room for
// that and still catches another basin (NLL differences ≥ 1e-7 move a limit or a CLs by far more).
const SAME_MINIMA = 1e-9;

describe("warmStart: the start point", () => {
  const spec = specs[0] as WorkspaceSpec;
  const config = modelOf(spec).config();
  const names = config.parameterNames as readonly string[];

  it("takes values by name (unknown names ignored, fixed parameters kept, clamped to the bounds) or as an array", () => {
    const backend = new PyhfBackend({
      backgroundOnlyModel: spec,
      signalPatch: [],
      warmStart: { parameters: { mu_SIG: 0.5, lumi: 100, sig_theory: -0.3, not_a_parameter: 7 } },
    });
    const start = backend.warmStart?.parameters as Float64Array;
    expect(backend.warmStart?.mode).toBe("add");
    names.forEach((name, i) => {
      const [lo, hi] = config.suggestedBounds[i] as readonly [number, number];
      const expected =
        name === "mu_SIG" ? 0.5 : name === "lumi" ? hi : name === "sig_theory" ? -0.3 : config.suggestedInit[i];
      expect(start[i]).toBe(config.suggestedFixed?.[i] ? config.suggestedInit[i] : expected);
      expect(start[i]).toBeGreaterThanOrEqual(lo);
    });
    // lumi is fixed or bounded by the measurement: either way the start stays inside its bounds.
    const array = names.map((_, i) => (config.suggestedInit[i] as number) + 0.01);
    const fromArray = new PyhfBackend({ backgroundOnlyModel: spec, signalPatch: [], warmStart: { parameters: array } });
    expect(fromArray.nominalParameters()?.length).toBe(names.length);
    expect(new PyhfBackend({ backgroundOnlyModel: spec, signalPatch: [] }).nominalParameters()).toBeUndefined();
  });

  it("rejects bad values with a typed error naming the entry", () => {
    const build = (warmStart: unknown) => () => modelOf(spec, warmStart);
    expect(build({ parameters: { mu_SIG: Number.NaN } })).toThrow(
      expect.objectContaining({
        name: "InvalidInput",
        message: expect.stringMatching(/warmStart\.parameters\.mu_SIG must be a finite number/),
      }),
    );
    expect(build({ parameters: [1, 2] })).toThrow(
      /warmStart\.parameters has 2 entries but the model has \d+ parameters/,
    );
    expect(build({ parameters: { mu_SIG: 1 }, mode: "swap" })).toThrow(/warmStart\.mode must be "add" or "replace"/);
    expect(build({})).toThrow(/warmStart\.parameters is required/);
    expect(build({ parameters: "mu_SIG=1" })).toThrow(/warmStart\.parameters must be a record/);
    expect(build([1, 2, 3])).toThrow(/warmStart must be an object/);
    // "replace" without a point: fits start cold, profiles continue warm.
    expect(
      new PyhfBackend({
        backgroundOnlyModel: spec,
        signalPatch: [],
        warmStart: { mode: "replace" },
      }).profileColdStartRange(),
    ).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("warmStart 'add': one more start, never a worse fit", () => {
  it("the free fit and the limits equal the default's, from a good and from a far-off start", () => {
    const spec = specs[4] as WorkspaceSpec;
    const reference = countingFits(() => {
      const m = modelOf(spec);
      return { fit: m.maximizeLikelihood(), limits: limitSummary(m) };
    });
    const near = bestFitOf(modelOf(specs[3] as WorkspaceSpec));
    const far = Object.fromEntries(Object.keys(near).map((k) => [k, k.startsWith("mu_") ? 5 : 2.5]));
    for (const parameters of [near, far]) {
      const added = countingFits(() => {
        const m = modelOf(spec, { parameters });
        return { fit: m.maximizeLikelihood(), limits: limitSummary(m) };
      });
      // The best of more starts: the NLL can only be as low (here the same minimum, to rounding).
      expect(added.value.fit[1]).toBeLessThanOrEqual(reference.value.fit[1] + 1e-9);
      expect(Math.abs(added.value.fit[0] - reference.value.fit[0])).toBeLessThanOrEqual(1e-6);
      const a = [added.value.limits.observed, ...added.value.limits.expected];
      const b = [reference.value.limits.observed, ...reference.value.limits.expected];
      a.forEach((v, i) => expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(SAME_MINIMA * (b[i] as number)));
      expect(added.fits).toBeGreaterThan(reference.fits);
    }
  });
});

describe("warmStart 'replace': a chain of signal points, each from its predecessor's best fit", () => {
  it("gives the default's limits, bands and CLs on every point of the patch set, with fewer fits", () => {
    let previous: Record<string, number> | undefined;
    let warmFits = 0;
    let coldFits = 0;
    expect(specs.length).toBe(9);
    for (const spec of specs) {
      const warm = countingFits(() => {
        const m = modelOf(spec, { ...(previous ? { parameters: previous } : {}), mode: "replace" });
        const out = { limits: limitSummary(m), cls: clsSummary(m) };
        previous = bestFitOf(m);
        return out;
      });
      const cold = countingFits(() => {
        const m = modelOf(spec);
        return { limits: limitSummary(m), cls: clsSummary(m) };
      });
      warmFits += warm.fits;
      coldFits += cold.fits;
      const a = [warm.value.limits.observed, ...warm.value.limits.expected];
      const b = [cold.value.limits.observed, ...cold.value.limits.expected];
      a.forEach((v, i) => {
        expect(Number.isFinite(v)).toBe(true);
        expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(SAME_MINIMA * (b[i] as number));
      });
      const c = [warm.value.cls.observed, ...warm.value.cls.expected];
      const d = [cold.value.cls.observed, ...cold.value.cls.expected];
      c.forEach((v, i) => expect(Math.abs(v - (d[i] as number))).toBeLessThanOrEqual(SAME_MINIMA * (d[i] as number)));
      expect(warm.value.cls.excluded).toBe(cold.value.cls.excluded);
    }
    // (The warm chain also pays one free fit per point for the next point's start.)
    expect(warmFits).toBeLessThan(coldFits);
  });

  it("a start far from the optimum still ends in the default's minimum (warm run, cold fallback)", () => {
    const spec = specs[2] as WorkspaceSpec;
    const names = modelOf(spec).config().parameterNames as readonly string[];
    const far = Object.fromEntries(names.map((k) => [k, k.startsWith("mu_") ? 9 : 4]));
    const warm = modelOf(spec, { parameters: far, mode: "replace" });
    const cold = modelOf(spec);
    const [muWarm, nllWarm] = warm.maximizeLikelihood();
    const [muCold, nllCold] = cold.maximizeLikelihood();
    expect(Math.abs(nllWarm - nllCold)).toBeLessThanOrEqual(1e-9 * Math.abs(nllCold));
    expect(Math.abs(muWarm - muCold)).toBeLessThanOrEqual(1e-6);
    expect(warm.poiUpperLimit()).toBeCloseTo(cold.poiUpperLimit(), 8);
  });
});
