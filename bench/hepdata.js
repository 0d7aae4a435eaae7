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
// Issue #11's opt-in warm start is timed in the same run, point by point alternating with the
// default: the points in grid order in chains of 5 (as `spey batch --warm-start`), each point but a
// chain's first started from its predecessor's best fit (the pyhf backend's `warmStart`, mode
// "replace", which also continues profiles warm along μ), its time including the free fit that
// records the best fit for the next point; and "profiles warm only" (mode "replace" without a start
// point), which separates what the neighbouring point adds. The report gives the ratios to the
// default and the largest relative difference of the limits (observed and ±2σ band) and CLs.
//
// N < 50 runs the first N patches sequentially and skips the batch runs. Other builds of the
// library (e.g. one from before a change: `git worktree add /tmp/before <commit>`, build it, pass
// before=/tmp/before/packages/spey/dist/index.js) are timed on the same points, alternating with
// this build point by point, so that a machine shared with other jobs affects both alike; the
// report gives each build's CPU time per point and its ratio to this build.
//
// pyhf cannot be run on this machine (no pyhf in its Python, and PyPI is not reachable), so there
// is no pyhf column; issue #11 quotes pyhf 0.7.6 timings on real HEPData likelihoods.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
// This build's default numbers per point, and the warm-start variants (CPU ms per point, numbers).
const CHAIN = 5;
const defaultNumbers = [];
const variants = {
  "--warm-start chains": { cpu: [], numbers: [] },
  "profiles warm only (no neighbour)": { cpu: [], numbers: [] },
};
const numbersOf = (limits, cls) => [limits.observed, ...limits.expected, cls.observed, ...cls.expected];
let previousBestFit;
let npar = 0;
// Warm-up (JIT) on one point per build, not counted.
for (const [, lib] of builds) {
  const m = modelOf(lib, specs[0]);
  m.exclusionConfidenceLevel({ expected: "all" });
  lib.limitSummary(m, { expected: "aposteriori" });
}
for (const [index, spec] of specs.entries()) {
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
    const limits = lib.limitSummary(model, { expected: "aposteriori" });
    t.limitsCpu.push(process.cpuUsage(cpu).user / 1000);
    const c = performance.now();
    t.cls.push(mid - a);
    t.limits.push(c - mid);
    t.total += (c - a) / 1000;
    // (untimed) the default's CLs numbers, to compare the warm-start variants with
    if (b === 0)
      defaultNumbers.push(numbersOf(limits, lib.clsSummary(modelOf(lib, spec), { expected: "aposteriori" })));
  });
  // The warm-start variants of this build, right after its default on the same point.
  for (const [label, v] of Object.entries(variants)) {
    const chained = label.startsWith("--warm-start");
    const head = index % CHAIN === 0 || previousBestFit === undefined;
    const warmStart = { ...(chained && !head ? { parameters: previousBestFit } : {}), mode: "replace" };
    const model = new thisBuild.StatisticalModel(
      new thisBuild.PyhfBackend({ backgroundOnlyModel: spec, signalPatch: [], warmStart }),
    );
    const cpu = process.cpuUsage();
    const cls = thisBuild.clsSummary(model, { expected: "aposteriori" });
    const limits = thisBuild.limitSummary(model, { expected: "aposteriori" });
    if (chained) {
      // What `spey batch --warm-start` records for the next point (counted in the time).
      const names = model.config().parameterNames;
      previousBestFit = model.maximizeLikelihood({ poiIndices: names })[0];
    }
    v.cpu.push(process.cpuUsage(cpu).user / 1000);
    v.numbers.push(numbersOf(limits, cls));
  }
}
const maxRelative = (a, b) => {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((x, j) => {
      worst = Math.max(worst, Math.abs(x - b[i][j]) / Math.abs(b[i][j]));
    }),
  );
  return worst;
};
console.log(
  `HEPData-style analysis: ${names.length} signal points, ${npar} parameters per model, ${bkgOnly.channels.length} channels (load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} after the sequential runs, 2 cores)`,
);
const base = timings[0];
const defaultCpu = base.clsCpu.map((x, i) => x + base.limitsCpu[i]);
const sum = (xs) => xs.reduce((x, y) => x + y, 0);
for (const [label, v] of Object.entries(variants)) {
  console.log(
    `this build, ${label}: CPU time per point (CLs with band + limit with band${label.startsWith("--warm") ? " + the best fit recorded for the next point" : ""}) median ${median(v.cpu).toFixed(0)} ms against ${median(defaultCpu).toFixed(0)} ms for the default (${(median(v.cpu) / median(defaultCpu)).toFixed(2)}×; all points ${(sum(v.cpu) / sum(defaultCpu)).toFixed(2)}×); largest relative difference to the default: ${maxRelative(v.numbers, defaultNumbers).toExponential(1)} (limits and CLs, observed and ±2σ)`,
  );
}
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
    const numbersIn = (path) =>
      new Map(
        readFileSync(path, "utf8")
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => JSON.parse(line))
          .map((r) => [r.id, numbersOf(r.result.upperLimit, r.result.cls)]),
      );
    const perPoint = {};
    for (const [workers, warm] of [
      [1, false],
      [1, true],
      [2, false],
      [2, true],
    ]) {
      const outputPath = join(tmp, `results-${workers}${warm ? "-warm" : ""}.jsonl`);
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
          ...(warm ? { warmStart: { chainLength: CHAIN } } : {}),
        },
        progress: false,
      });
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuPerPoint = (used.user + used.system) / 1000 / summary.total;
      const wall = (1000 * seconds) / summary.total;
      perPoint[`${workers}${warm}`] = { wall, cpu: cpuPerPoint, outputPath };
      const against = warm ? perPoint[`${workers}false`] : undefined;
      const comparison = against
        ? `; ${(wall / against.wall).toFixed(2)}× the wall and ${(cpuPerPoint / against.cpu).toFixed(2)}× the CPU time without --warm-start, largest relative difference of limits and CLs ${(() => {
            const a = numbersIn(outputPath);
            const b = numbersIn(against.outputPath);
            return maxRelative(
              [...a.keys()].map((k) => a.get(k)),
              [...a.keys()].map((k) => b.get(k)),
            ).toExponential(1);
          })()}`
        : "";
      console.log(
        `spey batch${warm ? ` --warm-start (chains of ${CHAIN})` : ""} (limit ±2σ + CLs per point), ${workers} worker${workers > 1 ? "s" : ""}: ${summary.ok}/${summary.total} ok in ${seconds.toFixed(1)} s (${wall.toFixed(0)} ms wall per point, start-up included; CPU ${cpuPerPoint.toFixed(0)} ms per point, worker threads included; load average ${loadavg()[0].toFixed(1)})${comparison}`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
