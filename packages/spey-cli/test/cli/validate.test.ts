/** `spey validate`: every problem of a file is reported (exit code 2), clean files pass (exit 0). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random } from "spey";
import { afterAll, describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../bench/hepdata-analysis.js";
import { checkModelDescription } from "../../src/cli/validate/checks.js";
import { editDistance, suggestion } from "../../src/cli/validate/schema.js";
import { run, temporaryDirectory } from "./helpers.js";

const tmp = temporaryDirectory("validate");
afterAll(() => tmp.remove());

function file(name: string, content: unknown): string {
  const path = join(tmp.path, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("checkModelDescription", () => {
  it("reports every structural problem at once, with the user's spelling", async () => {
    const report = checkModelDescription(
      {
        backend: "default.correlated_background",
        signal_yields: [1, 2, "x"],
        background_yields: [10, -1],
        data: [9, 11],
        covariance_matrix: [
          [4, 1],
          [2, 9],
        ],
        ntoys: 0.5,
        signal_yeild: [1],
      },
      { evaluate: false },
    );
    const paths = report.problems.map((p) => p.path);
    expect(paths).toContain("signal_yields[2]");
    expect(paths).toContain("signal_yields");
    expect(paths).toContain("background_yields[1]");
    expect(paths).toContain("ntoys");
    expect(report.warnings.join("\n")).toMatch(
      /covariance_matrix\[0\]\[1\] is 1 but covariance_matrix\[1\]\[0\] is 2: the matrix is not symmetric/,
    );
    expect(report.warnings.join("\n")).toMatch(/unknown argument "signal_yeild" .*did you mean "signal_yields"/);
  });

  it("names missing required arguments and unknown backends with a suggestion", async () => {
    const missing = checkModelDescription(
      { backend: "default.normal", signalYields: [1], backgroundYields: [1], data: [1] },
      { evaluate: false },
    );
    expect(missing.problems).toEqual([
      { path: "absoluteUncertainties", message: "is required by default.normal but missing" },
    ]);
    const unknown = checkModelDescription({ backend: "default.poison", data: [1] }, { evaluate: false });
    expect(unknown.problems[0]?.message).toMatch(
      /"default\.poison" is not an available backend \(did you mean "default\.poisson"\?\)/,
    );
  });

  it("checks correlation matrices and envelopes", async () => {
    const report = checkModelDescription(
      {
        backend: "default.effective_sigma",
        signalYields: [1, 1],
        backgroundYields: [5, 5],
        data: [5, 6],
        correlationMatrix: [
          [1, 1.5],
          [1.5, 0.9],
        ],
        absoluteUncertaintyEnvelops: [[1, 2], [1]],
      },
      { evaluate: false },
    );
    const text = report.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
    expect(text).toMatch(/correlationMatrix\[1\]\[1\]: is 0\.9: a correlation matrix has 1 on its diagonal/);
    expect(text).toMatch(/correlationMatrix\[0\]\[1\]: is 1\.5: correlations lie in \[−1, 1\]/);
    expect(text).toMatch(/absoluteUncertaintyEnvelops\[1\]: must be a pair/);
  });

  it("builds and fits a clean model, and passes the library's refusal on", async () => {
    const ok = checkModelDescription(
      { backend: "default.poisson", signalYields: [1], backgroundYields: [3], data: [4] },
      { evaluate: true },
    );
    expect(ok.problems).toEqual([]);
    const notPositiveDefinite = checkModelDescription(
      {
        backend: "default.correlated_background",
        signalYields: [1, 1],
        backgroundYields: [5, 5],
        data: [5, 6],
        covarianceMatrix: [
          [1, 2],
          [2, 1],
        ],
      },
      { evaluate: false },
    );
    expect(notPositiveDefinite.problems).toHaveLength(1);
    expect(notPositiveDefinite.problems[0]?.path).toBe("(model)");
  });

  it("edit distance and suggestions", async () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(suggestion("dta", ["data", "signalYields"])).toBe(' (did you mean "data"?)');
    expect(suggestion("zzzzzz", ["data"])).toBe("");
  });
});

describe("spey validate", () => {
  it("lists every problem of a model file and exits with 2", async () => {
    const bad = file("bad.json", {
      backend: "default.uncorrelated_background",
      signal_yields: [1, 2],
      background_yields: [3, -4, 5],
      data: [1, 2, 3],
      absolute_uncertainties: [1, "two", 3],
    });
    const { code, stdout } = await run(["validate", bad]);
    expect(code).toBe(2);
    expect(stdout).toContain("3 problems");
    expect(stdout).toContain("signal_yields: has 2 entries but data has 3");
    expect(stdout).toContain("background_yields[1]: is -4: it must be ≥ 0");
    expect(stdout).toContain('absolute_uncertainties[1]: must be a finite number; got "two"');
  });

  it("--json gives the report as data", async () => {
    const bad = file("bad2.json", { backend: "nope" });
    const { code, stdout } = await run(["validate", bad, "--json"]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { valid: boolean; kind: string; problems: { path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.kind).toBe("model");
    expect(report.problems.map((p) => p.path)).toEqual(["backend"]);
  });

  it("reports invalid JSON with its position", async () => {
    const { code, stdout } = await run(["validate", file("syntax.json", '{"backend": "default.poisson",}')]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/is not valid JSON \(line 1, column 31\)/);
  });

  it("checks a grid line by line against its base", async () => {
    const grid = file(
      "grid.jsonl",
      [
        '{"id": "a", "signalYields": [1, 1, 1]}',
        "not json",
        '{"id": "a", "signalYields": [1, 1, 1]}',
        '{"id": "c", "signalYields": [1, 1]}',
        "",
      ].join("\n"),
    );
    const { code, stdout } = await run(["validate", grid, "--base", "examples/grid/background.json"]);
    expect(code).toBe(2);
    expect(stdout).toContain("line 2: not valid JSON");
    expect(stdout).toContain('line 3: duplicate id "a" (also on line 1)');
    expect(stdout).toContain("line 4: signalYields: has 2 entries but data has 3");
  });

  it("accepts the shipped grid", async () => {
    const { code, stdout } = await run([
      "validate",
      "examples/grid/grid.jsonl",
      "--base",
      "examples/grid/background.json",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("OK (grid, default.uncorrelated_background, 3 bins, 400 points)");
  });

  it("accepts a background-only workspace without its POI, with a warning (as pyhf)", async () => {
    const { bkgOnly } = hepdataAnalysis(new Random(5), { systematics: 6, masses: [300], lspMasses: [0] });
    const path = file("BkgOnly.json", bkgOnly);
    const { code, stdout } = await run(["validate", path]);
    expect(code).toBe(0);
    expect(stdout).toContain("OK (workspace, pyhf)");
    expect(stdout).toMatch(/warning: background-only workspace: the POI "mu_SIG" is not a parameter of it/);
    const json = JSON.parse((await run(["validate", path, "--json"])).stdout) as { valid: boolean; warnings: string[] };
    expect(json.valid).toBe(true);
    expect(json.warnings).toHaveLength(1);
    // Its other faults are still reported, with their JSON path.
    const broken = structuredClone(bkgOnly) as { channels: { samples: { data: number[] }[] }[] };
    (broken.channels[2] as { samples: { data: number[] }[] }).samples[1] = {
      ...(broken.channels[2]?.samples[1] as object),
      data: [1, 2],
    } as { data: number[] };
    const bad = await run(["validate", file("BrokenBkgOnly.json", broken)]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/channels\[2\]\.samples\[1\]\.data: sample "VV" has 2 bins but channel "SR_A" has 4/);
  });
});
