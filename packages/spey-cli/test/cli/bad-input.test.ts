/**
 * Bad input gives exit code 2 and a message on stderr that names the problem (the file, the
 * argument, the entry), with nothing on stdout; a failed computation gives exit code 1. The cases
 * run in-process (`run`: the CLI's own `runCli` with captured streams); two of them also run the
 * built executable end to end, so the exit codes are checked as a shell sees them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run, runCli, temporaryDirectory } from "./helpers.js";

const tmp = temporaryDirectory("bad");
afterAll(() => tmp.remove());

function file(name: string, content: string): string {
  const path = join(tmp.path, name);
  writeFileSync(path, content);
  return path;
}

const good = {
  backend: "default.uncorrelated_background",
  signal_yields: [0.5],
  background_yields: [2.0],
  data: [1],
  absolute_uncertainties: [1.1],
};

const CASES: [string, () => string, RegExp][] = [
  ["a missing file", () => join(tmp.path, "nope.json"), /cannot read .*nope\.json: no such file/],
  // A folder is read as a HEPData likelihood folder; this one holds none.
  ["a directory", () => tmp.path, /the folder holds no pyhf workspace, patch set or JSON Patch/],
  [
    "invalid JSON",
    () => file("syntax.json", '{\n  "backend": "default.poisson",\n  "data": [1,]\n}'),
    /syntax\.json is not valid JSON \(line 3, column 14\)/,
  ],
  ["an empty file", () => file("empty.json", ""), /empty\.json is not valid JSON.*the file is empty/],
  ["a JSON array", () => file("array.json", "[1, 2]"), /array\.json: a model file must be a JSON object/],
  ["no backend", () => file("nobackend.json", '{"data": [1]}'), /nobackend\.json: missing "backend"/],
  [
    "an unknown backend",
    () => file("unknown.json", JSON.stringify({ ...good, backend: "default.uncorelated_background" })),
    /The backend default\.uncorelated_background is unavailable/,
  ],
  [
    "a negative background",
    () => file("negative.json", JSON.stringify({ ...good, background_yields: [-2] })),
    /negative\.json: .*backgroundYields\[0\]/i,
  ],
  [
    "inconsistent lengths",
    () => file("lengths.json", JSON.stringify({ ...good, signal_yields: [0.5, 1] })),
    /lengths\.json: .*signal/i,
  ],
  [
    "a name given twice",
    () => file("twice.json", JSON.stringify({ ...good, signalYields: [0.5] })),
    /twice\.json: .*given twice/,
  ],
];

async function expectBadInput(command: string, make: () => string, message: RegExp): Promise<void> {
  const { code, stdout, stderr } = await run([command, make(), "--json"]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(message);
}

describe("spey cls with a bad model file", () => {
  it.each(CASES)("%s: exit 2 and names the problem", (_label, make, message) => expectBadInput("cls", make, message));
});

// The other model commands share the loading code: a sample of the cases keeps the suite short.
describe.each(["limit", "significance", "scan", "plot brazil"])("spey %s with a bad model file", (command) => {
  it.each(CASES.filter(([label]) => ["invalid JSON", "a negative background"].includes(label)))(
    "%s: exit 2 and names the problem",
    async (_label, make, message) => {
      const [name, sub] = command.split(" ");
      const { code, stdout, stderr } = await run([...(sub ? [name as string, sub] : [name as string]), make()]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(message);
    },
  );
});

describe("bad options", () => {
  it.each([
    [["limit", "examples/single-bin.json", "--cl", "1.5"], /--cl must be between 0 and 1/],
    [["cls", "examples/single-bin.json", "--poi-test", "abc"], /--poi-test must be a number/],
    [["cls", "examples/single-bin.json", "--expected", "posterior"], /--expected must be one of aposteriori, apriori/],
    [
      ["cls", "examples/single-bin.json", "--calculator", "magic"],
      /--calculator must be one of asymptotic, chi_square, toy/,
    ],
    [["scan", "examples/single-bin.json", "--mu", "3:1"], /--mu must be start:stop/],
    [["batch", "examples/grid/grid.jsonl", "--shard", "3/2"], /--shard must be k\/N with 1 ≤ k ≤ N/],
    [["batch", "examples/grid/grid.jsonl", "--workers", "0"], /--workers must be an integer ≥ 1/],
    [["limit", "examples/single-bin.json", "--frobnicate"], /unknown option '--frobnicate'/],
    [["limits", "examples/single-bin.json"], /unknown command 'limits'/],
    [["limit"], /missing required argument 'model'/],
    [
      ["limit", "examples/single-bin.json", "--patch", "examples/single-bin.json"],
      /is a model file, not a pyhf workspace/,
    ],
    [["plot", "brazil", "examples/single-bin.json", "-o", "out.pdf"], /must end in \.svg or \.png/],
  ])("spey %j", async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("exit code 1: the computation failed", () => {
  it("scan without a range on a model that sets no limit", async () => {
    const noSignal = file("nosignal.json", JSON.stringify({ ...good, signal_yields: [0] }));
    const { code, stderr } = await run(["scan", noSignal]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no finite upper limit/);
  });

  it.each([["cls"], ["limit"], ["significance"]])(
    "%s with fits that cannot converge names the fit; --allow-unconverged turns it into a warning",
    async (command) => {
      // No iteration allowed: the fits end where they start, which is not the optimum.
      const failed = await run([command, "examples/cms-8bin.json", "--max-iterations", "0"]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/ConvergenceError: the (conditional|free) fit .* did not converge/);
      const allowed = await run([command, "examples/cms-8bin.json", "--max-iterations", "0", "--allow-unconverged"]);
      expect(allowed.code).toBe(0);
      expect(allowed.stderr).toMatch(
        /Optimiser has not been able to satisfy all the conditions in the (conditional|free) fit/,
      );
    },
  );
});

describe("the built executable (end to end)", () => {
  it("exits with 2 on bad input and 1 on a failed computation, the message on stderr", () => {
    const bad = runCli(["cls", file("e2e-negative.json", JSON.stringify({ ...good, background_yields: [-2] }))]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/e2e-negative\.json: .*backgroundYields\[0\]/i);
    const failed = runCli(["scan", file("e2e-nosignal.json", JSON.stringify({ ...good, signal_yields: [0] }))]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/no finite upper limit/);
  });
});
