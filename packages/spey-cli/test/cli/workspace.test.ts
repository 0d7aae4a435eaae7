/**
 * pyhf workspaces as CLI input (`<workspace> --patch <patch>`), and as the shared model of a batch
 * grid whose lines give `signalPatch`: results equal the HistFactory backend's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { modelFromWorkspaceFiles } from "spey/node";
import { readResultsStrict } from "../batch/helpers.js";
import { parseJsonOutput, run, temporaryDirectory } from "./helpers.js";

const tmp = temporaryDirectory("workspace");
afterAll(() => tmp.remove());

/** A two-bin background-only workspace (normsys + staterror) and a signal patch adding μ·s. */
const workspace = {
  channels: [
    {
      name: "SR",
      samples: [
        {
          name: "background",
          data: [50.0, 20.0],
          modifiers: [
            { name: "bkg_norm", type: "normsys", data: { hi: 1.1, lo: 0.9 } },
            { name: "staterror_SR", type: "staterror", data: [3.0, 2.0] },
          ],
        },
      ],
    },
  ],
  observations: [{ name: "SR", data: [52.0, 18.0] }],
  measurements: [{ name: "meas", config: { poi: "mu", parameters: [] } }],
  version: "1.0.0",
};
const signalPatch = (s: [number, number]) => [
  {
    op: "add",
    path: "/channels/0/samples/1",
    value: { name: "signal", data: s, modifiers: [{ name: "mu", type: "normfactor", data: null }] },
  },
];
const ws = join(tmp.path, "workspace.json");
const patch = join(tmp.path, "patch.json");
writeFileSync(ws, JSON.stringify(workspace));
writeFileSync(patch, JSON.stringify(signalPatch([10, 6])));

describe("a pyhf workspace with a signal patch", () => {
  const model = modelFromWorkspaceFiles(ws, [patch], { analysis: ws });

  it("limit --json equals the HistFactory backend", async () => {
    const { code, stdout } = await run(["limit", ws, "--patch", patch, "--json"]);
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as { backend: string; upperLimit: { observed: number; expected: number[] } };
    expect(out.backend).toBe("pyhf");
    // Same code on the same inputs (limitSummary: both limits from one preparation): identical numbers.
    const limits = model.poiUpperLimitWithBand({ expected: "aposteriori" });
    expect(out.upperLimit.observed).toBe(limits.observed);
    expect(out.upperLimit.expected).toEqual(limits.expected);
  });

  it('cls reads the workspace from standard input ("-")', async () => {
    const { code, stdout } = await run(["cls", "-", "--patch", patch, "--json"], { input: readFileSync(ws, "utf8") });
    expect(code).toBe(0);
    const out = parseJsonOutput(stdout) as { oneMinusCls: { observed: number } };
    expect(out.oneMinusCls.observed).toBe(model.exclusionConfidenceLevel({ poiTest: 1 })[0]);
  });

  it("validate accepts it; a broken patch is bad input naming the file (exit 2)", async () => {
    expect((await run(["validate", ws, "--patch", patch])).stdout).toContain("OK (workspace, pyhf)");
    const broken = join(tmp.path, "broken.json");
    writeFileSync(broken, JSON.stringify({ op: "add" }));
    const { code, stderr } = await run(["limit", ws, "--patch", broken]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken\.json.*JSON Patch must be an array/);
  });

  it("batch over a workspace base: each grid line gives its signal patch", async () => {
    const grid = join(tmp.path, "grid.jsonl");
    const points = [
      [10, 6],
      [20, 12],
      [5, 3],
    ] as [number, number][];
    writeFileSync(
      grid,
      points.map((s, i) => `${JSON.stringify({ id: i, meta: { s0: s[0] }, signalPatch: signalPatch(s) })}\n`).join(""),
    );
    const out = join(tmp.path, "grid.results.jsonl");
    const { code } = await run(["batch", grid, "--base", ws, "-o", out, "--workers", "1", "--compute", "limit"]);
    expect(code).toBe(0);
    const records = readResultsStrict(out).records as { id: number; result: { upperLimit: { observed: number } } }[];
    expect(records).toHaveLength(3);
    const first = records.find((r) => r.id === 0);
    expect(first?.result.upperLimit.observed).toBe(model.poiUpperLimitWithBand({ expected: "aposteriori" }).observed);
  });
});
