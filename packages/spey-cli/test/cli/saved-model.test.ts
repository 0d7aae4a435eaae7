/**
 * A model converted by `pyhf.simplify` and saved with `saveModel` (spey-pyhf's `save_model`) is a
 * model file the `spey` command reads: `spey cls FILE` gives the library's numbers for it.
 */
import { join } from "node:path";
import { getBackend } from "spey";
import { modelFromWorkspaceFiles } from "spey/node";
import { afterAll, describe, expect, it } from "vitest";
import { parseJsonOutput, ROOT, run, temporaryDirectory } from "./helpers.js";

const fixtures = join(ROOT, "packages/spey/test/fixtures/histfactory");
const tmp = temporaryDirectory("spey-saved-model-");
afterAll(() => tmp.remove());

describe("spey reads a saved simplified model", () => {
  it.each(["default.correlated_background", "default.effective_sigma"])("%s", async (convertTo) => {
    const full = modelFromWorkspaceFiles(join(fixtures, "simplify-workspace.json"), [
      `${join(fixtures, "simplify-patchset.json")}:stop_300`,
    ]);
    const path = join(tmp.path, `${convertTo}.json`);
    const simplified = getBackend("pyhf.simplify")({
      statisticalModel: full,
      convertTo,
      numberOfSamples: 300,
      saveModel: path,
    });
    const result = await run(["cls", path, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const output = parseJsonOutput(result.stdout) as { backend: string; oneMinusCls: { observed: number } };
    expect(output.backend).toBe(convertTo);
    // The CLI runs the same computation on the same numbers (read back from JSON exactly).
    expect(output.oneMinusCls.observed).toBe(simplified.exclusionConfidenceLevel()[0]);
  });
});
