/**
 * `pyhf.simplify`: full HistFactory model → `default.correlated_background` /
 * `default.third_moment_expansion` (effective σ: simplify-effective-sigma.test.ts), on the test workspace (two control regions CR_ttbar, CR_wjets;
 * two signal regions SR_1, SR_2) with the patch set's signal point stop_300.
 */
import { describe, expect, it } from "vitest";
import { modelFromWorkspaceFiles } from "../../../src/io/histfactory-files.js";
import {
  compareUpperLimits,
  guessChannelType,
  simplifyHistFactory,
} from "../../../src/backends/histfactory/simplify.js";
import { getBackend } from "../../../src/model/get-backend.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../../src/histfactory.js";

const fixture = (name: string) => new URL(`../../fixtures/histfactory/${name}`, import.meta.url).pathname;
const full = modelFromWorkspaceFiles(fixture("simplify-workspace.json"), [
  `${fixture("simplify-patchset.json")}:stop_300`,
]);

describe("pyhf.simplify", () => {
  it("guesses control and validation regions from channel names, as spey-pyhf", () => {
    expect(["CR_ttbar", "my_vr", "SR_1", "bins"].map(guessChannelType)).toEqual(["CR", "VR", "SR", "__unknown__"]);
  });

  it("works through the registry with spey's argument names and returns the requested simplified backend", () => {
    const correlated = getBackend("pyhf.simplify")({ statistical_model: full, number_of_samples: 200 });
    expect(correlated.backendType).toBe("default.correlated_background");
    const tme = getBackend("pyhf.simplify")({
      statisticalModel: full,
      convertTo: "default_pdf.third_moment_expansion",
      numberOfSamples: 200,
    });
    expect(tme.backendType).toBe("default.third_moment_expansion");
  });

  it("keeps every channel of the full model, its observed data and the signal yields of the samples the POI scales", () => {
    const { summary } = simplifyHistFactory({ statisticalModel: full, numberOfSamples: 200 });
    expect(summary.channels).toEqual(["CR_ttbar", "CR_wjets", "SR_1", "SR_2"]);
    expect(summary.controlChannels).toEqual(["CR_ttbar", "CR_wjets"]);
    expect(Array.from(summary.data)).toEqual([210, 145, 172, 16, 8, 5]);
    expect(Array.from(summary.signalYields)).toEqual([0.5, 0.2, 0, 6, 9, 4]);
  });

  it("estimates the background from nuisance fluctuations: mean ≈ λ at the fit, Poisson draws add λ to the variance", () => {
    const n = 4000;
    const expectedOnly = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: n,
      poissonFluctuations: false,
      seed: 1,
    }).summary;
    const withPoisson = simplifyHistFactory({ statisticalModel: full, numberOfSamples: n, seed: 2 }).summary;
    for (let b = 0; b < 6; b++) {
      const varNuisance = expectedOnly.covarianceMatrix[b]?.[b] as number;
      const varTotal = withPoisson.covarianceMatrix[b]?.[b] as number;
      const mean = expectedOnly.backgroundYields[b] as number;
      // Means of the two runs agree within 5 standard errors √(var/n) each.
      expect(Math.abs((withPoisson.backgroundYields[b] as number) - mean)).toBeLessThan(
        5 * Math.sqrt((varTotal + varNuisance) / n),
      );
      // E[cov(Pois(λ))] = cov(λ) + E[λ]: the sample variances' relative error is ≈ √(2/n) ≈ 2.2%
      // (and the cross-moments with the third moment); 10% of the total.
      expect(Math.abs(varTotal - varNuisance - mean)).toBeLessThan(0.1 * varTotal);
    }
    // Reproducible: same seed, same numbers.
    const again = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: 300,
      poissonFluctuations: false,
      seed: 1,
    }).summary;
    const again2 = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: 300,
      poissonFluctuations: false,
      seed: 1,
    }).summary;
    expect(again2.covarianceMatrix).toEqual(again.covarianceMatrix);
  });

  it("how close the simplified upper limits come to the full ones", () => {
    // Measured with these seeds (2000 samples): full observed limit 0.8127, expected 0.6120.
    // correlated_background, postfit, spey-pyhf sampling (Poisson draws): +6.4% observed, +15%
    // expected; third-moment expansion +7.1% / +12%. With nuisance fluctuations only (no Poisson
    // draws): −11% / −11%. The simplified model counts the control data twice in the second case
    // (they constrain the nuisances and enter its Poisson terms), and the Poisson draws add the
    // statistical variance to the background uncertainty in the first: the full limit lies in
    // between. Bounds: 10% observed and 20% expected (spey-pyhf sampling).
    // The full model's limits are the same in every comparison (deterministic fits): each one is
    // computed once and handed to compareUpperLimits again, instead of three observed and two
    // apriori limit searches on the full workspace.
    const fullLimits = new Map<string, number>();
    const fullOnce = {
      poiUpperLimit: (o: { expected?: "observed" | "aposteriori" | "apriori"; confidenceLevel?: number }) => {
        const key = JSON.stringify(o);
        if (!fullLimits.has(key)) fullLimits.set(key, full.poiUpperLimit(o));
        return fullLimits.get(key) as number;
      },
    };
    for (const convertTo of ["default.correlated_background", "default.third_moment_expansion"]) {
      const simplified = new StatisticalModel(
        simplifyHistFactory({ statisticalModel: full, numberOfSamples: 2000, convertTo }).backend,
      );
      const observed = compareUpperLimits(fullOnce, simplified);
      const expected = compareUpperLimits(fullOnce, simplified, { expected: "apriori" });
      expect(observed.full).toBeCloseTo(0.8127, 3);
      expect(Math.abs(observed.relativeDifference)).toBeLessThan(0.1);
      expect(Math.abs(expected.relativeDifference)).toBeLessThan(0.2);
      expect(observed.relativeDifference).toBeGreaterThan(0);
    }
    const nuisanceOnly = new StatisticalModel(
      simplifyHistFactory({ statisticalModel: full, numberOfSamples: 2000, poissonFluctuations: false }).backend,
    );
    const difference = compareUpperLimits(fullOnce, nuisanceOnly).relativeDifference;
    // two distinct searches on the full model (observed, apriori), each reused
    expect(fullLimits.size).toBe(2);
    expect(difference).toBeLessThan(0);
    expect(difference).toBeGreaterThan(-0.2);
  });

  it("prefit conversion, explicit control regions, signal modifiers kept", () => {
    const byIndex = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: 200,
      fittype: "prefit",
      controlRegionIndices: [0, 1],
    });
    const byName = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: 200,
      fittype: "prefit",
      controlRegionIndices: ["CR_ttbar", "CR_wjets"],
    });
    expect(byIndex.summary.covarianceMatrix).toEqual(byName.summary.covarianceMatrix);
    const kept = simplifyHistFactory({
      statisticalModel: full,
      numberOfSamples: 200,
      includeModifiersInControlModel: true,
    });
    expect(kept.summary.backgroundYields.length).toBe(6);
  });

  it("errors", () => {
    expect(() => simplifyHistFactory({ statisticalModel: {} as never })).toThrow(/must be a `pyhf` statistical model/);
    // default.effective_sigma is a target since issue #12 (simplify-effective-sigma.test.ts).
    expect(() => simplifyHistFactory({ statisticalModel: full, convertTo: "default.normal" })).toThrow(
      /convertTo must be/,
    );
    expect(() => simplifyHistFactory({ statisticalModel: full, controlRegionIndices: [7] })).toThrow(/no channel 7/);
    expect(() => simplifyHistFactory({ statisticalModel: full, controlRegionIndices: [0, 1, 2, 3] })).toThrow(
      /at least one signal region must remain/,
    );
    const noControl = modelFromWorkspaceFiles(fixture("simplify-workspace.json"), [
      `${fixture("simplify-patchset.json")}:stop_300`,
    ]);
    const renamed = getBackend("pyhf")({
      backgroundOnlyModel: (
        noControl.backend as unknown as { workspace: { rename(o: object): unknown } }
      ).workspace.rename({
        channels: { CR_ttbar: "A", CR_wjets: "B" },
      }),
    });
    expect(() => simplifyHistFactory({ statisticalModel: renamed })).toThrow(/no channel name contains "CR" or "VR"/);
  });
});
