/**
 * End-to-end tests of the model commands: the built CLI (`node dist/cli/main.js`) on each shipped
 * example, as a user runs it. `--json` outputs are compared with the library called directly on
 * the same model: the CLI runs the same deterministic code, so the numbers must agree exactly.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { modelFromWorkspaceFiles } from "spey/node";
import { getBackend } from "spey";
import { VERSION } from "spey";
import { parseJsonOutput, ROOT, run, runCli, temporaryDirectory } from "./helpers.js";

/** The shipped examples: a model file, or a pyhf workspace and a patch set's patch. */
const EXAMPLES: [string, string[]][] = [
  ["examples/single-bin.json", []],
  ["examples/cms-8bin.json", []],
  ["examples/histfactory/BkgOnly.json", ["examples/histfactory/patchset.json:stop_300"]],
];

function libraryModel(file: string, patches: readonly string[] = []) {
  if (patches.length > 0)
    return modelFromWorkspaceFiles(
      join(ROOT, file),
      patches.map((p) => join(ROOT, p)),
      { analysis: file },
    );
  const { backend, ...args } = JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Record<string, unknown>;
  return getBackend(backend as string)({ analysis: file, ...args });
}

const tmp = temporaryDirectory("cli");
afterAll(() => tmp.remove());

describe("spey --version / --help", () => {
  it("prints the version", async () => {
    const { code, stdout } = runCli(["--version"]); // end to end: the built executable
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it("lists every command and documents the exit codes", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    for (const command of ["backends", "cls", "limit", "significance", "scan", "plot", "batch", "merge", "validate"]) {
      expect(stdout).toContain(`${command} `);
    }
    expect(stdout).toContain("Exit codes: 0 success, 1 the computation failed");
  });

  it.each([
    ["backends"],
    ["cls"],
    ["limit"],
    ["significance"],
    ["scan"],
    ["plot"],
    ["plot", "brazil"],
    ["plot", "scan"],
    ["plot", "grid"],
    ["plot", "contour"],
    ["batch"],
    ["merge"],
    ["validate"],
  ])("spey %s --help", async (...command) => {
    const { code, stdout } = await run([...command, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: spey ${command.join(" ")}`);
  });
});

describe("spey backends", () => {
  it("--json lists the registry's backends with their metadata", async () => {
    const { code, stdout } = await run(["backends", "--json"]);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { name: string; version: string }[];
    const names = list.map((m) => m.name);
    for (const name of ["default.poisson", "default.uncorrelated_background", "default.correlated_background"]) {
      expect(names).toContain(name);
    }
    expect(list.every((m) => typeof m.version === "string")).toBe(true);
  });

  it("prints a table", async () => {
    const { code, stdout } = await run(["backends"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^backend\s+version\s+author\s+references/);
  });
});

describe.each(EXAMPLES)("%s %s", (file, patches) => {
  const model = libraryModel(file, patches);

  it("cls --json equals exclusionConfidenceLevel (observed and post-fit expected)", async () => {
    const { code, stdout, stderr } = await run(["cls", file, ...patches, "--poi-test", "0.8", "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as {
      cls: { observed: number; expected: number[] };
      oneMinusCls: { observed: number; expected: number[] };
    };
    const [observed, expected] = model.exclusionConfidenceLevel({ poiTest: 0.8, expected: "all" });
    // Same code on the same inputs: identical to the last bit.
    expect(out.oneMinusCls.observed).toBe(observed[0]);
    expect(out.oneMinusCls.expected).toEqual(expected);
    // CLs itself comes from the tail probabilities (not 1 − (1 − CLs), which rounds below ~1e-16)
    const tails = model.exclusionConfidenceLevel({ poiTest: 0.8, expected: "all", returnTailProbabilities: true });
    expect(out.cls.observed).toBe(tails.observed.cls[0]);
    expect(out.cls.expected).toEqual(tails.expected.cls);
  });

  it("limit --json equals poiUpperLimitWithBand (the observed limit and the band of one preparation)", async () => {
    const { code, stdout } = await run(["limit", file, ...patches, "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as {
      upperLimit: { observed: number; expected: number[] };
      confidenceLevel: number;
    };
    expect(out.confidenceLevel).toBe(0.95);
    const limits = model.poiUpperLimitWithBand({ expected: "aposteriori", confidenceLevel: 0.95 });
    expect(out.upperLimit.observed).toBe(limits.observed);
    expect(out.upperLimit.expected).toEqual(limits.expected);
    // The same roots as two separate poiUpperLimit calls, each solved to rtol 1e-6.
    expect(Math.abs(limits.observed - model.poiUpperLimit({ expected: "observed" }))).toBeLessThanOrEqual(
      2e-6 * limits.observed,
    );
  });

  it("significance --json equals significance()", async () => {
    const { code, stdout } = await run(["significance", file, ...patches, "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as {
      observed: { significance: number; pValue: number };
      expected: { significance: number; pValues: number[] };
    };
    const [sqrtQ0A, sqrtQ0, p, expectedP] = model.significance();
    expect(out.observed).toEqual({ significance: sqrtQ0, pValue: p[0] });
    expect(out.expected.significance).toBe(sqrtQ0A);
    expect(out.expected.pValues).toEqual(expectedP);
  });

  it("scan --json equals CLs and χ² of the library at each μ", async () => {
    const { code, stdout } = await run(["scan", file, ...patches, "--mu", "0.2:1.4:4", "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as {
      poiValues: number[];
      cls: { observed: number[]; expected: number[][] };
      deltaMinus2LogL: { observed: number[]; expected: number[] };
      muHat: number;
    };
    expect(out.poiValues).toHaveLength(4);
    expect(out.poiValues[0]).toBe(0.2);
    expect(out.poiValues[3]).toBe(1.4);
    out.poiValues.forEach((mu, i) => {
      const tails = model.exclusionConfidenceLevel({ poiTest: mu, expected: "all", returnTailProbabilities: true });
      expect(out.cls.observed[i]).toBe(tails.observed.cls[0]);
      expect(out.cls.expected[i]).toEqual(tails.expected.cls);
    });
    expect(out.deltaMinus2LogL.observed).toEqual(model.chi2({ poiTest: out.poiValues, allowNegativeSignal: true }));
    expect(out.deltaMinus2LogL.expected).toEqual(
      model.chi2({ poiTest: out.poiValues, expected: "apriori", allowNegativeSignal: true }),
    );
    expect(out.muHat).toBe(model.maximizeLikelihood({ allowNegativeSignal: true })[0]);
  });

  it("validate reports OK", async () => {
    const { code, stdout } = await run(["validate", file, ...patches]);
    expect(code).toBe(0);
    expect(stdout).toMatch(patches.length > 0 ? /OK \(workspace, pyhf\)/ : /OK \(model, default\.\w+, \d+ bins?\)/);
  });

  it("plot brazil writes an SVG file", async () => {
    const out = join(tmp.path, `${file.replace(/\W/g, "_")}.svg`);
    const { code, stdout } = await run(["plot", "brazil", file, ...patches, "--mu", "0:2:5", "-o", out]);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${out}`);
    expect(readFileSync(out, "utf8")).toContain("Expected ±2σ");
  });
});

// Options and output formats, on the single-bin example (the loading and computing code is shared).
describe("examples/single-bin.json: options and formats", () => {
  const file = "examples/single-bin.json";
  const model = libraryModel(file);

  it("cls --expected apriori uses the pre-fit band", async () => {
    const { code, stdout } = await run(["cls", file, "--expected", "apriori", "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as { oneMinusCls: { expected: number[] } };
    expect(out.oneMinusCls.expected).toEqual(model.exclusionConfidenceLevel({ poiTest: 1, expected: "apriori" }));
  });

  it("limit --cl 0.9 changes the confidence level", async () => {
    const { code, stdout } = await run(["limit", file, "--cl", "0.9", "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as { upperLimit: { observed: number } };
    expect(out.upperLimit.observed).toBe(model.poiUpperLimitWithBand({ confidenceLevel: 0.9 }).observed);
  });

  it("text output is a table on stdout, nothing on stderr", async () => {
    for (const command of ["cls", "limit", "significance"]) {
      const { code, stdout, stderr } = await run([command, file]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toContain("observed");
      expect(stdout).toContain(file);
    }
    const scan = await run(["scan", file, "--mu", "0:1:3"]);
    expect(scan.code).toBe(0);
    expect(scan.stdout.split("\n").filter((l) => /^\d/.test(l))).toHaveLength(3);
  });

  it("plot brazil and plot scan write SVG and PNG files", async () => {
    const stem = join(tmp.path, file.replace(/\W/g, "_"));
    for (const kind of ["brazil", "scan"]) {
      const { code, stdout } = await run([
        "plot",
        kind,
        file,
        "--mu",
        "0:2:5",
        "-o",
        `${stem}-${kind}.svg`,
        "-o",
        `${stem}-${kind}.png`,
      ]);
      expect(code).toBe(0);
      expect(stdout).toContain(`wrote ${stem}-${kind}.svg`);
      const svg = readFileSync(`${stem}-${kind}.svg`, "utf8");
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).toContain(kind === "brazil" ? "Expected ±2σ" : "Δ(−2 ln L)");
      const png = readFileSync(`${stem}-${kind}.png`);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
  });
});

describe("inputs", () => {
  it('"-" reads the model from standard input', async () => {
    const text = readFileSync(join(ROOT, "examples/single-bin.json"), "utf8");
    const fromStdin = await run(["limit", "-", "--json"], { input: text });
    const fromFile = await run(["limit", "examples/single-bin.json", "--json"]);
    expect(fromStdin.code).toBe(0);
    const a = JSON.parse(fromStdin.stdout) as { model: string; upperLimit: unknown };
    const b = JSON.parse(fromFile.stdout) as { upperLimit: unknown };
    expect(a.model).toBe("standard input");
    expect(a.upperLimit).toEqual(b.upperLimit);
  });

  it("camelCase and snake_case model files give the same result", async () => {
    const camel = JSON.stringify({
      backend: "default.uncorrelated_background",
      signalYields: [0.5],
      backgroundYields: [2.0],
      data: [1],
      absoluteUncertainties: [1.1],
    });
    const a = await run(["cls", "-", "--json"], { input: camel });
    const b = await run(["cls", "examples/single-bin.json", "--json"]);
    expect(a.code).toBe(0);
    expect((JSON.parse(a.stdout) as { cls: unknown }).cls).toEqual((JSON.parse(b.stdout) as { cls: unknown }).cls);
  });

  it("plot brazil accepts the saved output of scan --json and draws the same picture", async () => {
    const scan = await run(["scan", "examples/single-bin.json", "--mu", "0:3:7", "--json"]);
    expect(scan.code).toBe(0);
    const saved = join(tmp.path, "scan.json");
    writeFileSync(saved, scan.stdout);
    const fromScan = await run(["plot", "brazil", saved]);
    const fromModel = await run(["plot", "brazil", "examples/single-bin.json", "--mu", "0:3:7"]);
    expect(fromScan.code).toBe(0);
    expect(fromScan.stdout).toBe(fromModel.stdout);
  });

  it("plot contour computes the contours of a model with findContour", async () => {
    const out = join(tmp.path, "contour-model.svg");
    const { code } = await run(["plot", "contour", "examples/single-bin.json", "--cl", "0.9", "-o", out]);
    expect(code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain("90% CL (2ΔNLL = 4.61)");
    expect(svg).toContain("θ1");
  });

  it("plot contour draws the shipped contour example", async () => {
    const out = join(tmp.path, "contour.svg");
    const { code } = await run(["plot", "contour", "examples/contour/single-bin-contours.json", "-o", out]);
    expect(code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain("68.3% CL");
    expect(svg).toContain("Best fit");
    expect(existsSync(out)).toBe(true);
  });
});

describe("--verbose", () => {
  it("library warnings go to stderr once by default, -q silences them; stdout stays clean JSON", async () => {
    const asymmetric = JSON.stringify({
      backend: "default.correlated_background",
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [36, 33],
      covarianceMatrix: [
        [144, 13],
        [13.5, 256],
      ],
    });
    const shown = await run(["limit", "-", "--json"], { input: asymmetric });
    expect(shown.code).toBe(0);
    // The covariance is read once per model: one warning line, not one per fit.
    expect(shown.stderr).toBe(
      "spey: warning: covarianceMatrix is not symmetric; using its symmetric part (Σ + Σᵀ)/2.\n",
    );
    const quiet = await run(["limit", "-", "--json", "-q"], { input: asymmetric });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(JSON.parse(quiet.stdout)).toEqual(JSON.parse(shown.stdout));
  });
});

describe("spey cls / limit with the toy calculator", () => {
  it("matches the library's seeded toys exactly", async () => {
    const file = "examples/single-bin.json";
    const model = libraryModel(file);
    const cls = await run(["cls", file, "--calculator", "toy", "--ntoys", "200", "--seed", "5", "--json"]);
    expect(cls.code).toBe(0);
    const out = parseJsonOutput(cls.stdout) as {
      oneMinusCls: { observed: number; expected: number[] };
      ntoys: number;
      seed: number;
    };
    const [observed, expected] = model.exclusionConfidenceLevel({
      expected: "all",
      calculator: "toy",
      ntoys: 200,
      seed: 5,
    });
    expect(out.ntoys).toBe(200);
    expect(out.seed).toBe(5);
    expect(out.oneMinusCls.observed).toBe(observed[0]);
    expect(out.oneMinusCls.expected).toEqual(expected);
    const limit = await run(["limit", file, "--calculator", "toy", "--ntoys", "100", "--seed", "2", "--json"]);
    expect(limit.code).toBe(0);
    const ul = parseJsonOutput(limit.stdout) as { upperLimit: { observed: number } };
    expect(ul.upperLimit.observed).toBe(model.poiUpperLimit({ calculator: "toy", ntoys: 100, seed: 2 }));
    expect((await run(["cls", file, "--calculator", "toy", "--ntoys", "0"])).code).toBe(2);
  });
});
