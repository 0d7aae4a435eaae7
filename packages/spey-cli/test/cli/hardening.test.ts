/**
 * Regression tests of issue #13 for the command line, run in-process (`runCli` with captured
 * streams): standard input keeps its bytes, warnings once each (-q, --strict), unused arguments,
 * prototype-named keys, file errors in words, what `validate` recognises and that it agrees with
 * `cls`, large models and grids, progress on a terminal, plot bounds; EPIPE with the built CLI.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUT_SECONDS } from "../../src/cli/commands/batch.js";
import { buildProgram } from "../../src/cli/program.js";
import { LAUNCHER, parseJsonOutput, ROOT, temporaryDirectory } from "./helpers.js";
import { spey } from "./in-process.js";

const tmp = temporaryDirectory("hardening");
afterAll(() => tmp.remove());
const file = (name: string, content: string) => {
  const path = join(tmp.path, name);
  writeFileSync(path, content);
  return path;
};
const example = (path: string) => readFileSync(join(ROOT, path), "utf8");
const WORKSPACE = "examples/histfactory/BkgOnly.json";
const PATCH = "examples/histfactory/patchset.json:stop_300";

describe("standard input", () => {
  it("a workspace piped through - keeps its bytes: the patch set's digest (written with 200.0-style floats) matches", async () => {
    // The workspace file writes integral yields as floats (`…0]`): re-serialising it changed the digest.
    expect(example(WORKSPACE)).toMatch(/\d\.0[\],]/);
    const viaFile = await spey(["cls", WORKSPACE, PATCH, "--json"]);
    const viaStdin = await spey(["cls", "-", PATCH, "--json"], { stdin: example(WORKSPACE) });
    expect(viaStdin.stderr).toBe("");
    expect(viaStdin.code).toBe(0);
    const { model: _a, ...fromFile } = JSON.parse(viaFile.stdout) as Record<string, unknown>;
    const { model: _b, ...fromStdin } = JSON.parse(viaStdin.stdout) as Record<string, unknown>;
    expect(fromStdin).toEqual(fromFile);
  });

  it("a patch set made for another workspace names --no-verify, an option that exists and works", async () => {
    const other = JSON.parse(example(WORKSPACE)) as { observations: { data: number[] }[] };
    (other.observations[0] as { data: number[] }).data[0] = 1234;
    const path = file("other-workspace.json", JSON.stringify(other));
    const refused = await spey(["cls", path, PATCH]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/does not match the patch set.*give --no-verify to apply it anyway/);
    expect(refused.stderr).not.toContain("verify: false");
    const forced = await spey(["cls", path, PATCH, "--no-verify", "--json"]);
    expect(forced.code).toBe(0);
  });
});

describe("warnings", () => {
  const noSignal = JSON.stringify({
    backend: "default.uncorrelated_background",
    signalYields: [0],
    backgroundYields: [2],
    data: [1],
    absoluteUncertainties: [1],
  });

  it("are shown by default, each once with its count; -q silences them", async () => {
    const shown = await spey(["limit", "-", "--json"], { stdin: noSignal });
    expect(shown.code).toBe(0);
    // The observed and the expected limits each warn: one line, counted.
    expect(shown.stderr).toBe(
      "spey: warning: The model has no positive signal yield: μ has no upper limit (returning +∞). (×2)\n",
    );
    expect(parseJsonOutput(shown.stdout)).toMatchObject({ upperLimit: { observed: Number.POSITIVE_INFINITY } });
    const quiet = await spey(["limit", "-", "--json", "-q"], { stdin: noSignal });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
  });

  it("--strict makes them errors (exit 2, nothing on standard output)", async () => {
    const strict = await spey(["limit", "-", "--json", "--strict"], { stdin: noSignal });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toMatch(
      /^spey: --strict: 1 warning treated as an error:\n {2}The model has no positive signal/,
    );
  });

  it("a misspelled optional argument is reported with a suggestion, and is an error under --strict", async () => {
    const typo = JSON.stringify({ ...JSON.parse(example("examples/single-bin.json")), modifers: [] });
    const warned = await spey(["cls", "-", "--json"], { stdin: typo });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      'spey: warning: argument "modifers" is not used by backend default.uncorrelated_background; it is ignored. Did you mean "modifiers"?',
    );
    const strict = await spey(["cls", "-", "--strict"], { stdin: typo });
    expect(strict.code).toBe(2);
  });
});

describe("prototype-named keys", () => {
  it('"constructor" and "__proto__" as model arguments are ordinary (unused) arguments', async () => {
    const model = { ...JSON.parse(example("examples/single-bin.json")), constructor: 1 };
    const text = JSON.stringify(model).replace(/}$/, ', "__proto__": {"signal_yields": [1e6]}}');
    const out = await spey(["cls", "-", "--json"], { stdin: text });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('argument "constructor" is not used');
    expect(out.stderr).toContain('argument "__proto__" is not used');
    // The "__proto__" member did not become the arguments' prototype (its signal was not used).
    const plain = await spey(["cls", "examples/single-bin.json", "--json"]);
    expect(JSON.parse(out.stdout).cls).toEqual(JSON.parse(plain.stdout).cls);
  });

  it('a workspace whose channel is called "constructor" computes like any other', async () => {
    const renamed = example(WORKSPACE).replaceAll('"SR_2"', '"constructor"');
    const patch = example("examples/histfactory/patchset.json").replaceAll("SR_2", "constructor");
    const ws = file("constructor-ws.json", renamed);
    const ps = file("constructor-ps.json", patch);
    const out = await spey(["cls", ws, `${ps}:stop_300`, "--no-verify", "--json"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const reference = await spey(["cls", WORKSPACE, PATCH, "--json"]);
    expect(JSON.parse(out.stdout).cls.observed).toBeCloseTo(JSON.parse(reference.stdout).cls.observed, 10);
  });
});

describe("file errors say why in words", () => {
  it.each([
    ["inspect", [tmp.path], /cannot read .*: it is a directory, not a file\./],
    ["validate", [join(tmp.path, "missing.json")], /cannot read .*missing\.json: no such file or directory\./],
    [
      "batch",
      ["examples/grid/grid.jsonl", "--base", join(tmp.path, "nope.json"), "-o", join(tmp.path, "r.jsonl")],
      /cannot read the base model .*nope\.json: no such file or directory\./,
    ],
    ["patchset", ["inspect", join(tmp.path, "none.json")], /no such file or directory\./],
  ])("%s", async (command, args, message) => {
    const out = await spey([command, ...args]);
    expect(out.code).toBe(2);
    expect(`${out.stdout}${out.stderr}`).toMatch(message);
    expect(`${out.stdout}${out.stderr}`).not.toMatch(/ENOENT|EISDIR|errno/);
  });
});

describe("spey validate recognises what a file is", () => {
  it("a patch set, a JSON Patch, a results file", async () => {
    const patchSet = await spey(["validate", "examples/histfactory/patchset.json"]);
    expect(patchSet.code).toBe(0);
    expect(patchSet.stdout).toContain("OK (patchset, 2 patches)");
    const patch = file("patch.json", '[{"op": "add", "path": "/channels/0/samples/0", "value": {}}]');
    expect((await spey(["validate", patch])).stdout).toContain("OK (patch)");
    const results = file(
      "results.jsonl",
      `${JSON.stringify({
        format: "spey-batch-results",
        version: 1,
        spey: "0.1.0",
        grid: { file: "g.jsonl", sha256: "0", points: 1 },
        base: null,
        shard: null,
        task: {},
      })}\n${JSON.stringify({ id: "a", line: 1, status: "ok" })}\nnot json\n`,
    );
    const report = await spey(["validate", results]);
    expect(report.code).toBe(2);
    expect(report.stdout).toContain("1 problem (results, 1 results)");
    expect(report.stdout).toContain("line 3: is not a result line");
  });

  it("a workspace without channels is a broken workspace, not a model without a backend", async () => {
    const noChannels = file(
      "nochannels.json",
      JSON.stringify({ observations: [], measurements: [], version: "1.0.0" }),
    );
    const out = await spey(["validate", noChannels]);
    expect(out.code).toBe(2);
    expect(out.stdout).toContain("(workspace)");
    expect(out.stdout).toContain('missing required member "channels"');
    expect(out.stdout).not.toContain("backend");
  });

  it("a negative observation in a workspace is named as such (validate and cls)", async () => {
    const workspace = JSON.parse(example(WORKSPACE)) as { observations: { data: number[] }[] };
    (workspace.observations[0] as { data: number[] }).data[1] = -3;
    const path = file("negative.json", JSON.stringify(workspace));
    const message =
      /observations\[0\]\.data\[1\]: is -3: the observed count of bin 1 of channel "CR_ttbar" cannot be negative/;
    const validate = await spey(["validate", path]);
    expect(validate.code).toBe(2);
    expect(validate.stdout).toMatch(message);
    const cls = await spey(["cls", path, PATCH, "--no-verify"]);
    expect(cls.code).toBe(2);
    expect(cls.stderr).toMatch(message);
  });

  it("validate and cls agree: validate passes exactly the model files cls computes (mutated examples)", async () => {
    const base = JSON.parse(example("examples/single-bin.json")) as Record<string, unknown>;
    const value = fc.oneof(
      fc.constantFrom(0, -1, 1e-300, 1e300, 1e10, 0.5, 7, null, "x", [], [1, 2]),
      fc.double({ min: -10, max: 100, noNaN: true }),
    );
    const samples = fc.sample(
      fc.record({
        key: fc.constantFrom("signal_yields", "background_yields", "data", "absolute_uncertainties"),
        value,
      }),
      { seed: 13, numRuns: 40 },
    );
    for (const { key, value: v } of samples) {
      const model = JSON.stringify({ ...base, [key]: Array.isArray(v) ? v : [v] });
      const validate = await spey(["validate", "-", "-q"], { stdin: model });
      const cls = await spey(["cls", "-", "-q"], { stdin: model });
      expect({ model, validate: validate.code === 0 }).toEqual({ model, validate: cls.code === 0 });
    }
  });
});

describe("large models and grids", () => {
  it("a 5,000-bin model validates and computes; a 400-bin correlated one validates (no call-stack overflow)", async () => {
    const n = 5000;
    const big = file(
      "big.json",
      JSON.stringify({
        backend: "default.uncorrelated_background",
        signal_yields: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0)),
        background_yields: Array.from({ length: n }, (_, i) => 10 + (i % 7)),
        data: Array.from({ length: n }, (_, i) => 10 + (i % 7) + (i % 3) - 1),
        absolute_uncertainties: Array.from({ length: n }, () => 2),
      }),
    );
    expect((await spey(["validate", big])).stdout).toContain("OK (model, default.uncorrelated_background, 5000 bins)");
    const limit = await spey(["limit", big, "--json"]);
    expect(limit.code).toBe(0);
    expect(Number.isFinite(JSON.parse(limit.stdout).upperLimit.observed)).toBe(true);
    const m = 400;
    const correlated = file(
      "correlated400.json",
      JSON.stringify({
        backend: "default.correlated_background",
        signal_yields: Array.from({ length: m }, (_, i) => 1 + (i % 7) * 0.1),
        background_yields: Array.from({ length: m }, (_, i) => 50 + (i % 13)),
        data: Array.from({ length: m }, (_, i) => 50 + (i % 13) + ((i % 5) - 2) * 3),
        covariance_matrix: Array.from({ length: m }, (_, i) =>
          Array.from({ length: m }, (_, j) => (i === j ? 25 : 25 * 0.3 ** Math.abs(i - j))),
        ),
      }),
    );
    const validated = await spey(["validate", correlated]);
    expect(validated.stdout).toContain("OK (model, default.correlated_background, 400 bins)");
    expect(validated.code).toBe(0);
  });

  it("a 200,000-line grid parses and validates", async () => {
    // The lines are joined as they are made (no array of 200,000 strings kept alive in the test
    // worker while validate runs).
    let text = "";
    for (let i = 0; i < 200_000; i++) {
      text += `${JSON.stringify({ id: `p${i}`, meta: { x: i % 500, y: Math.floor(i / 500) }, signal_yields: [1 + (i % 7), 2, 3] })}\n`;
    }
    // validate parses the grid (parseGrid) and checks every point against the base model
    const grid = file("big.jsonl", text);
    text = "";
    const out = await spey(["validate", grid, "--base", "examples/grid/background.json"]);
    expect(out.stdout).toContain("OK (grid, default.uncorrelated_background, 3 bins, 200000 points)");
    expect(out.code).toBe(0);
  });
});

describe("terminal niceties", () => {
  it("progress goes to standard error on a terminal only (toys)", async () => {
    process.env.SPEY_PROGRESS_DELAY_MS = "0";
    try {
      const args = ["cls", "examples/single-bin.json", "--calculator", "toy", "--ntoys", "300", "--json"];
      const terminal = await spey(args, { tty: true });
      expect(terminal.code).toBe(0);
      expect(terminal.stderr).toMatch(/\rspey: toys \[[#-]+\] \d+\/300/);
      // The bar is erased at the end; standard output is untouched.
      expect(terminal.stderr.endsWith("\r\u001b[2K")).toBe(true);
      // Once the toy bar runs, the fits of the toys draw no line of their own.
      const afterBar = terminal.stderr.slice(terminal.stderr.indexOf("spey: toys"));
      expect(afterBar).not.toContain("fits");
      const piped = await spey(args, { tty: false });
      expect(piped.stderr).toBe("");
      expect(piped.stdout).toBe(terminal.stdout);
    } finally {
      delete process.env.SPEY_PROGRESS_DELAY_MS;
    }
  });

  it("a scan draws its bar of μ points on a terminal, and no fit line while it runs", async () => {
    process.env.SPEY_PROGRESS_DELAY_MS = "0";
    try {
      const args = ["scan", "examples/cms-8bin.json", "--points", "5", "--json"];
      const terminal = await spey(args, { tty: true });
      expect(terminal.code).toBe(0);
      expect(terminal.stderr).toMatch(/\rspey: scan \[[#-]+\] \d+\/6/);
      expect(terminal.stderr.slice(terminal.stderr.indexOf("spey: scan"))).not.toContain("fits");
      expect(terminal.stderr.endsWith("\r\u001b[2K")).toBe(true);
      expect(terminal.stdout).toBe((await spey(args)).stdout);
    } finally {
      delete process.env.SPEY_PROGRESS_DELAY_MS;
    }
  });

  it.each([
    ["limit", [WORKSPACE, PATCH, "--json"]],
    ["fit", [WORKSPACE, PATCH, "--json"]],
    ["significance", ["examples/cms-8bin.json", "--json"]],
    ["plot", ["brazil", "examples/single-bin.json", "--points", "4"]],
  ])("%s: computations without a bar of their own show the fits done on a terminal", async (command, args) => {
    process.env.SPEY_PROGRESS_DELAY_MS = "0";
    try {
      const terminal = await spey([command, ...args], { tty: true });
      expect(terminal.code).toBe(0);
      expect(terminal.stderr).toMatch(new RegExp(`\\r\\u001b\\[2Kspey ${command}: \\d+ fits?, \\d+ s`));
      // Erased before the output and at the end: the terminal is left clean.
      expect(terminal.stderr.endsWith("\r\u001b[2K")).toBe(true);
      const piped = await spey([command, ...args]);
      expect(piped.stderr).toBe("");
      expect(terminal.stdout).toBe(piped.stdout);
      expect((await spey([command, ...args, "-q"], { tty: true })).stderr).toBe("");
    } finally {
      delete process.env.SPEY_PROGRESS_DELAY_MS;
    }
  });

  it("a reader that goes away (| head -1) ends the command quietly with exit code 0", async () => {
    const child = spawn(process.execPath, [LAUNCHER, "scan", "examples/cms-8bin.json", "--points", "60"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("plots and batch limits", () => {
  it("image sizes are bounded", async () => {
    const wide = await spey(["plot", "brazil", "examples/single-bin.json", "--width", "20000"]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/--width must be an integer from 100 to 10000/);
    const huge = await spey([
      "plot",
      "brazil",
      "examples/single-bin.json",
      "--points",
      "3",
      "--width",
      "10000",
      "--height",
      "10000",
      "--scale",
      "8",
      "-o",
      join(tmp.path, "huge.png"),
    ]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/the PNG would have 6400 megapixels, more than the 40 allowed/);
  });

  it("the Brazil legend of a model shows the limits spey limit computes (CLI)", async () => {
    // Five scan points only: an interpolation between them would miss the limits by far.
    const plot = await spey(["plot", "brazil", "examples/single-bin.json", "--points", "5"]);
    expect(plot.code).toBe(0);
    const limit = parseJsonOutput((await spey(["limit", "examples/single-bin.json", "--json"])).stdout) as {
      upperLimit: { observed: number; expected: number[] };
    };
    // The legend prints three significant digits.
    expect(plot.stdout).toContain(`Observed (μ_UL = ${limit.upperLimit.observed.toPrecision(3)})`);
    expect(plot.stdout).toContain(`Expected (μ_UL = ${(limit.upperLimit.expected[2] as number).toPrecision(3)})`);
    expect(plot.stdout).toContain("Signal strength μ");
  });

  it("an incomplete merge of one shard of 1,000 names ten absent shards and counts the rest", async () => {
    const header = {
      format: "spey-batch-results",
      version: 1,
      spey: "0.1.0",
      grid: { file: "g.jsonl", sha256: "0", points: 1000 },
      base: null,
      shard: { index: 1, count: 1000, points: 1 },
      task: { compute: ["limit"] },
    };
    const line = {
      id: "p0",
      line: 1,
      status: "ok",
      result: { backend: "x", upperLimit: { observed: 1, expected: [] } },
    };
    const shard = file("one-shard.jsonl", `${JSON.stringify(header)}\n${JSON.stringify(line)}\n`);
    const out = await spey(["merge", shard, "-o", join(tmp.path, "merged-shard.jsonl")]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /999 point\(s\) missing; shard\(s\) 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 989 more absent\./,
    );
    expect(out.stderr.length).toBeLessThan(300);
  });

  it("plot grid labels its axes with units", async () => {
    mkdirSync(join(tmp.path, "grid"), { recursive: true });
    const results = file(
      "grid/results.jsonl",
      `${[
        {
          format: "spey-batch-results",
          version: 1,
          spey: "0.1.0",
          grid: { file: "g", sha256: "0", points: 2 },
          base: null,
          shard: null,
          task: { compute: ["limit"] },
        },
        ...[0, 1, 2, 3].map((i) => ({
          id: `p${i}`,
          line: i + 1,
          status: "ok",
          result: { backend: "x", upperLimit: { observed: 0.5 + i, expected: [0.4, 0.6, 0.8 + i, 1.2, 1.6] } },
          meta: { m_gluino: 1000 + 100 * (i % 2), m_lsp: 100 * Math.floor(i / 2) },
        })),
      ]
        .map((r) => JSON.stringify(r))
        .join("\n")}\n`,
    );
    const out = await spey(["plot", "grid", results, "--x-unit", "GeV", "--y-unit", "GeV"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("m_gluino [GeV]");
    expect(out.stdout).toContain("m_lsp [GeV]");
  });

  it(`batch points have a time limit by default (${DEFAULT_TIMEOUT_SECONDS} s)`, async () => {
    const batch = (await buildProgram()).commands.find((c) => c.name() === "batch");
    const timeout = batch?.options.find((o) => o.long === "--timeout");
    expect(timeout?.defaultValue).toBe(600);
  });
});
