/**
 * `pyhf.simplify` to `default.effective_sigma` (spey-pyhf's third conversion target) and saving the
 * converted model (spey-pyhf's `save_model`) as a JSON model file that the model-file loader (the
 * CLI's) reads back to the same model.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { simplifyHistFactory } from "../../../src/backends/histfactory/simplify.js";
import { modelFromWorkspaceFiles } from "../../../src/io/histfactory-files.js";
import { modelFromDescription } from "../../../src/io/model-description.js";
import { normPpf } from "../../../src/math/special.js";
import { getBackend } from "../../../src/model/get-backend.js";

const fixture = (name: string) => new URL(`../../fixtures/histfactory/${name}`, import.meta.url).pathname;
const full = modelFromWorkspaceFiles(fixture("simplify-workspace.json"), [
  `${fixture("simplify-patchset.json")}:stop_300`,
]);
const dir = mkdtempSync(join(tmpdir(), "spey-simplify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pyhf.simplify → default.effective_sigma", () => {
  it("builds an effective-σ model whose envelopes are the central 68% interval of the sampled yields", () => {
    const { backend, summary } = simplifyHistFactory({
      statisticalModel: full,
      convertTo: "default_pdf.effective_sigma",
      numberOfSamples: 4000,
      poissonFluctuations: false,
      seed: 4,
    });
    expect((backend.constructor as { name: string }).name).toBe("default.effective_sigma");
    expect(summary.absoluteUncertaintyEnvelopes.length).toBe(6);
    summary.absoluteUncertaintyEnvelopes.forEach(([up, down], b) => {
      const sd = Math.sqrt(summary.covarianceMatrix[b]?.[b] as number);
      // For a near-Gaussian background the ±1σ quantiles are mean ± sd: the sample quantile's
      // standard error is ≈ 1.5·sd/√n ≈ 0.024·sd, so 15% leaves room for the skew of the yields.
      expect(Math.abs(up / sd - 1)).toBeLessThan(0.15);
      expect(Math.abs(down / sd - 1)).toBeLessThan(0.15);
    });
    // The q used is (1 − (Φ(1) − Φ(−1)))/2, i.e. the −1σ quantile.
    expect(Math.abs(normPpf((1 - 0.6826894921370859) / 2) + 1)).toBeLessThan(1e-9);
    const model = getBackend("pyhf.simplify")({
      statisticalModel: full,
      convertTo: "default.effective_sigma",
      numberOfSamples: 500,
    });
    expect(model.backendType).toBe("default.effective_sigma");
    const limit = model.poiUpperLimit();
    expect(limit).toBeGreaterThan(0);
    expect(Number.isFinite(limit)).toBe(true);
  });

  it.each(["default.correlated_background", "default.third_moment_expansion", "default.effective_sigma"])(
    "saveModel writes a model file (%s) that the model-file loader reads back to the same likelihood",
    (convertTo) => {
      const path = join(dir, `${convertTo}.json`);
      const { backend, summary } = simplifyHistFactory({
        statisticalModel: full,
        convertTo,
        numberOfSamples: 300,
        seed: 7,
        saveModel: path,
      });
      const description = JSON.parse(readFileSync(path, "utf8"));
      expect(description.backend).toBe(convertTo);
      expect(description).toEqual(JSON.parse(JSON.stringify(summary.modelDescription)));
      const reread = modelFromDescription(description, { analysis: "simplified" });
      expect(reread.backendType).toBe(convertTo);
      const x = Float64Array.from(reread.config().suggestedInit, () => 0.2);
      // The same numbers through JSON (shortest round-trip representation): identical likelihood.
      expect(reread.backend.getLogpdfFunc()(x)).toBe(backend.getLogpdfFunc()(x));
    },
  );

  it("refuses a bad path type and unknown targets", () => {
    expect(() => simplifyHistFactory({ statisticalModel: full, numberOfSamples: 50, saveModel: "" })).toThrow(
      /saveModel must be a file path/,
    );
    expect(() => simplifyHistFactory({ statisticalModel: full, convertTo: "default.poisson" })).toThrow(
      /"default.effective_sigma"/,
    );
  });
});
