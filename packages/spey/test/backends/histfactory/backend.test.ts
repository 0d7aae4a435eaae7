/**
 * The `pyhf` backends through the plug-in contract: registry metadata, the POI-bound conventions,
 * liveness, combination, fits whose default start is infeasible, and speed on a larger model.
 */

import { describe, expect, it } from "vitest";
import { largeWorkspace } from "../../../../../bench/large-workspace.js";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import { PatchSet } from "../../../src/backends/histfactory/patchset.js";
import { Workspace } from "../../../src/backends/histfactory/workspace.js";
import { availableBackends, getBackend, getBackendMetadata } from "../../../src/model/get-backend.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";
import { captureLogs } from "../../../src/core/logger.js";
import { Random } from "../../../src/math/random.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../../src/histfactory.js";

const fixture = (name: string) => new URL(`../../fixtures/histfactory/${name}`, import.meta.url).pathname;
const bkgOnly = Workspace.fromFile(fixture("simplify-workspace.json"));
const patchSet = PatchSet.fromFile(fixture("simplify-patchset.json"));
const signalPatch = patchSet.get("stop_300").patch;

describe("registry", () => {
  it("registers pyhf, pyhf.uncorrelated_background and the pyhf.simplify converter", () => {
    expect(availableBackends()).toEqual(
      expect.arrayContaining(["pyhf", "pyhf.uncorrelated_background", "pyhf.simplify"]),
    );
    const meta = getBackendMetadata("pyhf");
    expect(meta.doi).toEqual(["10.5281/zenodo.1169739", "10.21105/joss.02823"]);
    expect(meta.name).toBe("pyhf");
  });

  it("accepts a workspace file path as backgroundOnlyModel (spey-pyhf)", () => {
    const fromPath = getBackend("pyhf")({
      background_only_model: fixture("simplify-workspace.json"),
      signal_patch: signalPatch,
    });
    const fromObject = getBackend("pyhf")({ backgroundOnlyModel: bkgOnly.toJSON(), signalPatch });
    expect(fromPath.exclusionConfidenceLevel()).toEqual(fromObject.exclusionConfidenceLevel());
  });
});

describe("POI bounds", () => {
  it('"spey-pyhf" (default): [max(μ_min, −10), upper] with negative signals, [0, upper] without', () => {
    const backend = new PyhfBackend({ backgroundOnlyModel: bkgOnly, signalPatch });
    // μ_min = −min over signal bins of background/signal, nominal yields: CR_ttbar 230/0.5,
    // 170/0.2; SR_1 14/6, 7/9; SR_2 4.5/4 → −7/9.
    expect(backend.minimumPoi).toBeCloseTo(-7 / 9, 15);
    const poi = backend.model.poiIndex;
    expect(backend.config().suggestedBounds[poi]).toEqual([-7 / 9, 10]);
    expect(backend.config({ allowNegativeSignal: false }).suggestedBounds[poi]).toEqual([0, 10]);
    expect(backend.config({ poiUpperBound: 40 }).suggestedBounds[poi]).toEqual([-7 / 9, 40]);
  });

  it('"measurement": the measurement\'s POI bounds whatever allowNegativeSignal says', () => {
    const backend = new PyhfBackend({ backgroundOnlyModel: bkgOnly, signalPatch, poiBounds: "measurement" });
    const poi = backend.model.poiIndex;
    expect(backend.config().suggestedBounds[poi]).toEqual([0, 10]);
    expect(backend.config({ allowNegativeSignal: true }).suggestedBounds[poi]).toEqual([0, 10]);
    // A measurement configuring wider POI bounds keeps them.
    const wide = bkgOnly.patch([
      { op: "add", path: "/measurements/0/config/parameters/-", value: { name: "mu", bounds: [[-3, 20]] } },
    ]);
    const configured = new PyhfBackend({ backgroundOnlyModel: wide, signalPatch, poiBounds: "measurement" });
    expect(configured.config().suggestedBounds[poi]).toEqual([-3, 20]);
    expect(configured.config({ allowNegativeSignal: false }).suggestedBounds[poi]).toEqual([0, 20]);
  });
});

describe("liveness", () => {
  it("a patch with zero signal gives a dead model with infinite limits", () => {
    const zero = signalPatch.map((op) =>
      op.op === "add"
        ? { ...op, value: { ...(op.value as object), data: (op.value as { data: number[] }).data.map(() => 0) } }
        : op,
    );
    const model = getBackend("pyhf")({ backgroundOnlyModel: bkgOnly, signalPatch: zero });
    expect(model.isAlive).toBe(false);
    expect(model.config().minimumPoi).toBe(Number.NEGATIVE_INFINITY);
    expect(model.poiUpperLimit()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("combination (spey's `@`, pyhf's Workspace.combine)", () => {
  it("two models on disjoint channels combine into the model of all channels", () => {
    // Left: the control regions and SR_1 with its signal; right: SR_2 with its signal.
    const leftWs = bkgOnly.prune({ channels: ["SR_2"] });
    const rightWs = bkgOnly.prune({ channels: ["CR_ttbar", "CR_wjets", "SR_1"] });
    const sr1 = signalPatch.filter((op) => op.path.startsWith("/channels/2/"));
    const sr2 = signalPatch
      .filter((op) => op.path.startsWith("/channels/3/"))
      .map((op) => ({ ...op, path: op.path.replace("/channels/3/", "/channels/0/") }));
    const left = getBackend("pyhf")({ backgroundOnlyModel: leftWs, signalPatch: sr1, analysis: "left" });
    const right = getBackend("pyhf")({ backgroundOnlyModel: rightWs, signalPatch: sr2, analysis: "right" });
    const { result: combined, records } = captureLogs(() => left.combine(right));
    expect(records.some((r) => /renamed with "_updated"/.test(r.message))).toBe(true);
    expect(combined.analysis).toBe("combine[left, right]");
    const direct = getBackend("pyhf")({
      backgroundOnlyModel: bkgOnly,
      signalPatch: signalPatch.filter((op) => !op.path.startsWith("/channels/0/")),
    });
    expect(combined.config().parameterNames).toEqual(direct.config().parameterNames);
    expect(
      Math.abs((combined.exclusionConfidenceLevel()[0] as number) - (direct.exclusionConfidenceLevel()[0] as number)),
    ).toBeLessThan(1e-12);
    expect(() =>
      left.combine(
        getBackend("pyhf.uncorrelated_background")({
          signalYields: [1],
          backgroundYields: [1],
          data: [1],
          absoluteUncertainties: [0.1],
        }),
      ),
    ).toThrow(/pyhf models combine only with pyhf models/);
  });
});

describe("fits whose default start is infeasible", () => {
  it("a fixed μ far below μ_min is fitted from a feasible start found first", () => {
    // μ_min = −4.17 for this model: at μ = −4.6 the default start (γ = 1) has λ = −5.2 < 0, but
    // γ ≈ 1.11 restores λ > 0. The profile NLL is then finite and above its minimum.
    const model = getBackend("pyhf.uncorrelated_background")({
      signalYields: [12],
      backgroundYields: [50],
      data: [51],
      absoluteUncertainties: [5],
    });
    const [nll, pars] = model.likelihood({ poiTest: -4.6, returnParameters: true });
    expect(Number.isFinite(nll)).toBe(true);
    expect(nll).toBeGreaterThan(model.maximizeLikelihood()[1]);
    expect(-4.6 * 12 + 50 * (pars[1] as number)).toBeGreaterThan(0);
  });
});

describe("large models (timings: bench/histfactory.js)", () => {
  it("a 10-channel × 5-bin model with ~80 parameters gives CLs and an ordered expected-limit band", () => {
    const ws = largeWorkspace(10, 5, 20, new Random(3));
    const model = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] }));
    expect(model.config().npar).toBeGreaterThan(70);
    const [observed, expected] = model.exclusionConfidenceLevel({ expected: "all" });
    for (const x of [...observed, ...expected]) expect(x >= 0 && x <= 1).toBe(true);
    expect(expected.length).toBe(5);
    const band = model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }) as number[];
    expect(band.every((x, i) => Number.isFinite(x) && (i === 0 || x > (band[i - 1] as number)))).toBe(true);
  });

  it("the fits converge: the projected gradient vanishes at the free fit", () => {
    const ws = largeWorkspace(6, 4, 12, new Random(4));
    const backend = new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] });
    const model = new StatisticalModel(backend);
    const [values] = model.maximizeLikelihood({ poiIndices: backend.model.parameterNames.map((_, i) => i) });
    const x = Float64Array.from(Object.values(values));
    const grad = new Float64Array(x.length);
    backend.getObjectiveFunction()(x, grad);
    const bounds = backend.config().suggestedBounds;
    grad.forEach((g, i) => {
      const [lo, hi] = bounds[i] as readonly [number, number];
      const atBound = (x[i] as number) <= lo + 1e-9 || (x[i] as number) >= hi - 1e-9;
      if (!atBound && !backend.model.suggestedFixed[i]) expect(Math.abs(g)).toBeLessThan(1e-5);
    });
  });
});
