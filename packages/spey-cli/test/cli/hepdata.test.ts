/**
 * HEPData's likelihood layout on the command line: `spey cls likelihoods.tar.gz NAME` (or a folder,
 * or a .zip) finds BkgOnly.json and patchset.json and lists the signal points when none is named;
 * `spey batch likelihoods.tar.gz` computes every patch of the patch set with its labels as grid
 * coordinates, and `spey plot grid` draws the exclusion plane from the results. The archive is
 * made with the system's tar, as HEPData serves them (.tar.gz).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random, Workspace } from "spey";
import { afterAll, describe, expect, it } from "vitest";
import { hepdataAnalysis } from "../../../../bench/hepdata-analysis.js";
import { parseJsonOutput, run, temporaryDirectory } from "./helpers.js";

const tmp = temporaryDirectory("hepdata");
afterAll(() => tmp.remove());

// A 2 × 2 signal grid over a small analysis; the patch set records the exact digest of the file.
const { bkgOnly, patchset } = hepdataAnalysis(new Random(11), {
  systematics: 4,
  masses: [300, 500],
  lspMasses: [0, 100],
  digest: (w) => new Workspace(w, { sourceText: JSON.stringify(w) }).possibleDigests()[0] as string,
});
const folder = join(tmp.path, "likelihoods");
mkdirSync(folder);
writeFileSync(join(folder, "BkgOnly.json"), JSON.stringify(bkgOnly));
writeFileSync(join(folder, "patchset.json"), JSON.stringify(patchset));
writeFileSync(join(folder, "README.txt"), "not part of the likelihood\n");
const archive = join(tmp.path, "likelihoods.tar.gz");
const tar = spawnSync("tar", ["czf", archive, "-C", tmp.path, "likelihoods"]);
if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);

interface ClsJson {
  cls: { observed: number; expected: number[] };
}

describe("spey cls / limit on a HEPData archive or folder", () => {
  it("lists the signal points when none is named (exit 2)", async () => {
    const { code, stderr } = await run(["cls", archive]);
    expect(code).toBe(2);
    expect(stderr).toContain("choose a signal point");
    expect(stderr).toContain("likelihoods/BkgOnly.json with likelihoods.tar.gz/likelihoods/patchset.json");
    expect(stderr).toContain("SYNTH-2024-01, 4 signal points, labels m_C1N2, m_N1");
    expect(stderr).toContain("C1N2_WZ_500_100  (m_C1N2=500, m_N1=100)");
  });

  it("computes a named point as the workspace with the patch set's patch applied", async () => {
    const fromArchive = parseJsonOutput((await run(["cls", archive, "C1N2_WZ_500_0", "--json"])).stdout) as ClsJson;
    const fromFolder = parseJsonOutput((await run(["cls", folder, "C1N2_WZ_500_0", "--json"])).stdout) as ClsJson;
    const fromFiles = parseJsonOutput(
      (await run(["cls", join(folder, "BkgOnly.json"), `${join(folder, "patchset.json")}:C1N2_WZ_500_0`, "--json"]))
        .stdout,
    ) as ClsJson;
    // The same likelihood read three ways: identical numbers (same arithmetic, same fits).
    expect(fromArchive.cls).toEqual(fromFiles.cls);
    expect(fromFolder.cls).toEqual(fromFiles.cls);
    expect(fromFiles.cls.observed).toBeGreaterThan(0);
    expect(fromFiles.cls.observed).toBeLessThan(1);
  });

  it("reads single patch files (patch.NAME.json) beside a workspace", async () => {
    const single = join(tmp.path, "single");
    mkdirSync(single);
    writeFileSync(join(single, "BkgOnly.json"), JSON.stringify(bkgOnly));
    for (const p of patchset.patches)
      writeFileSync(join(single, `patch.${p.metadata.name}.json`), JSON.stringify(p.patch));
    const listing = await run(["limit", single]);
    expect(listing.code).toBe(2);
    expect(listing.stderr).toContain("C1N2_WZ_300_100");
    const fromSingle = parseJsonOutput((await run(["cls", single, "C1N2_WZ_300_100", "--json"])).stdout) as ClsJson;
    const fromArchive = parseJsonOutput((await run(["cls", archive, "C1N2_WZ_300_100", "--json"])).stdout) as ClsJson;
    expect(fromSingle.cls).toEqual(fromArchive.cls);
  });

  it("an unknown point name is bad input and lists the points", async () => {
    const { code, stderr } = await run(["cls", archive, "C1N2_WZ_999_0"]);
    expect(code).toBe(2);
    expect(stderr).toContain('has no signal point named "C1N2_WZ_999_0"');
    expect(stderr).toContain("C1N2_WZ_300_0  (m_C1N2=300, m_N1=0)");
  });
});

describe("spey batch over every patch of the patch set, and the exclusion plane", () => {
  it("computes each point with the labels as coordinates, resumes, and plots the plane", async () => {
    const first = await run(["batch", archive, "--workers", "1", "--no-progress", "--json"]);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { total: number; ok: number; output: string };
    expect(summary.total).toBe(4);
    expect(summary.ok).toBe(4);
    expect(summary.output).toBe(join(tmp.path, "likelihoods.grid.results.jsonl"));
    const records = readFileSync(summary.output, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => JSON.parse(line) as { id: string; meta: Record<string, number>; status: string });
    expect(records.map((r) => [r.id, r.meta])).toEqual(
      patchset.patches.map((p) => [p.metadata.name, { m_C1N2: p.metadata.values[0], m_N1: p.metadata.values[1] }]),
    );
    // Each point's limit is the one `spey limit` gives for the same point.
    const point = JSON.parse(readFileSync(summary.output, "utf8").trim().split("\n")[3] as string) as {
      id: string;
      result: { upperLimit: { observed: number } };
    };
    const single = parseJsonOutput((await run(["limit", archive, point.id, "--json"])).stdout) as {
      upperLimit: { observed: number };
    };
    // Same fits in a worker and in the CLI process; the root finder's tolerance is 1e-6 relative.
    expect(Math.abs(point.result.upperLimit.observed / single.upperLimit.observed - 1)).toBeLessThan(1e-6);

    const again = JSON.parse((await run(["batch", archive, "--workers", "1", "--no-progress", "--json"])).stdout) as {
      skipped: number;
      computed: number;
    };
    expect(again).toMatchObject({ skipped: 4, computed: 0 });

    const svg = join(tmp.path, "plane.svg");
    const plot = await run(["plot", "grid", summary.output, "-o", svg]);
    expect(plot.code).toBe(0);
    const text = readFileSync(svg, "utf8");
    expect(text).toContain("<svg");
    expect(text).toContain("m_C1N2");
    expect(text).toContain("m_N1");
  });
});
