#!/usr/bin/env node
// HEPData-style whole-patch-set benchmark (run after `npm run build`): a synthetic analysis laid
// out as ATLAS publishes full likelihoods (bench/hepdata-analysis.js: BkgOnly.json + patchset.json,
// 120 parameters per patched model, 50 signal points on a 2-D mass grid). For every patch: CLs
// (observed and the ±2σ expected band) and the observed upper limit with the ±2σ expected limits
// (limitSummary, as `spey limit` and the batch runner), first
// sequentially in this process (per-point CPU time: median and max), then through `spey batch` on
// the archive folder (the batch runner on worker threads: 1 and 2 workers; wall time including
// start-up, and the process's CPU time, worker threads included).
//
//   node bench/hepdata.js [--points N] [label=path/to/packages/spey/dist/index.js ...]
//
// N < 50 runs the first N patches sequentially and skips the batch runs. Other builds of the
// library (e.g. one from before a change: `git worktree add /tmp/before <commit>`, build it, pass
// before=/tmp/before/packages/spey/dist/index.js) are timed on the same points, alternating with
// this build point by point, so that a machine shared with other jobs affects both alike; the
// report gives each build's CPU time per point and its ratio to this build.
//
// pyhf cannot be run on this machine (no pyhf in its Python, and PyPI is not reachable), so there
// is no pyhf column; issue #11 quotes pyhf 0.7.6 timings on real HEPData likelihoods.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runBatch } from "../packages/spey-cli/dist/batch/runner.js";
import * as thisBuild from "../packages/spey/dist/index.js";
import { hepdataAnalysis } from "./hepdata-analysis.js";

const argv = process.argv.slice(2);
let pointsOption = Number.POSITIVE_INFINITY;
const builds = [["this build", thisBuild]];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--points") pointsOption = Number(argv[++i]);
  else {
    const [label, path] = argv[i].includes("=") ? argv[i].split("=") : [argv[i], argv[i]];
    builds.push([label, await import(pathToFileURL(path).href)]);
  }
}
for (const [, lib] of builds) lib.setLogHandler(() => {});
const { PatchSet, Random, Workspace } = thisBuild;
const loadAtStart = loadavg()[0];

const { bkgOnly, patchset } = hepdataAnalysis(new Random(2024), {
  regions: 5,
  bins: 4,
  systematics: 95,
  masses: [200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100],
  lspMasses: [0, 100, 200, 300, 400, 500],
  digest: (w) => new Workspace(w, { sourceText: JSON.stringify(w) }).possibleDigests()[0],
});
const workspace = new Workspace(bkgOnly);
const set = new PatchSet(patchset);
const names = set.names.slice(0, pointsOption);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

// ---- sequential ------------------------------------------------------------------------------
// The patched workspaces are built once (with this build) and handed to every build as JSON specs.
const specs = names.map((name) => set.apply(workspace, name, { verify: false }).toJSON());
const modelOf = (lib, spec) =>
  new lib.StatisticalModel(new lib.PyhfBackend({ backgroundOnlyModel: spec, signalPatch: [] }));
const timings = builds.map(() => ({ cls: [], limits: [], clsCpu: [], limitsCpu: [], total: 0 }));
let npar = 0;
// Warm-up (JIT) on one point per build, not counted.
for (const [, lib] of builds) {
  const m = modelOf(lib, specs[0]);
  m.exclusionConfidenceLevel({ expected: "all" });
  lib.limitSummary(m, { expected: "aposteriori" });
}
for (const spec of specs) {
  builds.forEach(([, lib], b) => {
    const t = timings[b];
    const model = modelOf(lib, spec);
    npar = model.config().npar;
    const a = performance.now();
    const cpuCls = process.cpuUsage();
    model.exclusionConfidenceLevel({ expected: "all" });
    t.clsCpu.push(process.cpuUsage(cpuCls).user / 1000);
    const mid = performance.now();
    const cpu = process.cpuUsage();
    // What `spey limit` and the batch runner compute: the observed limit and the five expected ones.
    lib.limitSummary(model, { expected: "aposteriori" });
    t.limitsCpu.push(process.cpuUsage(cpu).user / 1000);
    const c = performance.now();
    t.cls.push(mid - a);
    t.limits.push(c - mid);
    t.total += (c - a) / 1000;
  });
}
console.log(
  `HEPData-style analysis: ${names.length} signal points, ${npar} parameters per model, ${bkgOnly.channels.length} channels (load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} after the sequential runs, 2 cores)`,
);
const base = timings[0];
builds.forEach(([label], b) => {
  const t = timings[b];
  // On a shared machine the wall time includes waiting for a core; the CPU time does not.
  const ratio = b === 0 ? "" : ` — ${(median(t.limitsCpu) / median(base.limitsCpu)).toFixed(2)}× this build's CPU time`;
  console.log(
    `${label}, sequential, CPU time per point: CLs (observed + ±2σ) median ${median(t.clsCpu).toFixed(0)} ms (max ${Math.max(...t.clsCpu).toFixed(0)}), upper limit (observed) with the ±2σ expected band median ${median(t.limitsCpu).toFixed(0)} ms (max ${Math.max(...t.limitsCpu).toFixed(0)})${ratio}`,
  );
  console.log(
    `${label}, sequential, wall time per point: CLs median ${median(t.cls).toFixed(0)} ms, upper limit with ±2σ band median ${median(t.limits).toFixed(0)} ms; all points ${t.total.toFixed(1)} s`,
  );
});

// ---- batch runner ----------------------------------------------------------------------------
if (names.length === set.names.length) {
  const tmp = mkdtempSync(join(tmpdir(), "spey-bench-hepdata-"));
  try {
    const folder = join(tmp, "likelihoods");
    mkdirSync(folder);
    writeFileSync(join(folder, "BkgOnly.json"), JSON.stringify(bkgOnly));
    writeFileSync(join(folder, "patchset.json"), JSON.stringify(patchset));
    const { gridFromArchive } = await import("../packages/spey-cli/dist/cli/hepdata.js");
    const grid = await gridFromArchive(folder);
    const gridPath = join(tmp, "grid.jsonl");
    const basePath = join(tmp, "bkgonly.json");
    writeFileSync(gridPath, `${grid.lines.join("\n")}\n`);
    writeFileSync(basePath, grid.base);
    for (const workers of [1, 2]) {
      const outputPath = join(tmp, `results-${workers}.jsonl`);
      const start = performance.now();
      const cpu = process.cpuUsage();
      const summary = await runBatch({
        gridPath,
        basePath,
        outputPath,
        workers,
        task: {
          compute: ["limit", "cls"],
          confidenceLevel: 0.95,
          expected: "aposteriori",
          poiTest: 1,
          calculator: "asymptotic",
        },
        progress: false,
      });
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuPerPoint = (used.user + used.system) / 1000 / summary.total;
      console.log(
        `spey batch (limit ±2σ + CLs per point), ${workers} worker${workers > 1 ? "s" : ""}: ${summary.ok}/${summary.total} ok in ${seconds.toFixed(1)} s (${((1000 * seconds) / summary.total).toFixed(0)} ms wall per point, start-up included; CPU ${cpuPerPoint.toFixed(0)} ms per point, worker threads included; load average ${loadavg()[0].toFixed(1)})`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
