#!/usr/bin/env node
// HEPData-style whole-patch-set benchmark (run after `npm run build`): a synthetic analysis laid
// out as ATLAS publishes full likelihoods (bench/hepdata-analysis.js: BkgOnly.json + patchset.json,
// 120 parameters per patched model, 50 signal points on a 2-D mass grid). For every patch: CLs
// (observed and the ±2σ expected band) and the upper limit with its ±2σ expected band, first
// sequentially in this process (per-point median and total), then through `spey batch` on the
// archive folder (the batch runner on worker threads: 1 and 2 workers, wall time including start-up).
//   node bench/hepdata.js [--points N]   (N < 50 runs the first N patches sequentially)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBatch } from "../packages/spey-cli/dist/batch/runner.js";
import {
  PatchSet,
  PyhfBackend,
  Random,
  StatisticalModel,
  Workspace,
  setLogHandler,
} from "../packages/spey/dist/index.js";
import { hepdataAnalysis } from "./hepdata-analysis.js";

setLogHandler(() => {});
const argv = process.argv.slice(2);
const pointsOption = argv.includes("--points") ? Number(argv[argv.indexOf("--points") + 1]) : Number.POSITIVE_INFINITY;

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
const cls = [];
const limits = [];
const limitsCpu = [];
const clsCpu = [];
let npar = 0;
// Warm-up (JIT) on one point, not counted.
{
  const m = new StatisticalModel(
    new PyhfBackend({ backgroundOnlyModel: set.apply(workspace, names[0]), signalPatch: [] }),
  );
  m.exclusionConfidenceLevel({ expected: "all" });
  m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
}
const t0 = performance.now();
for (const name of names) {
  const model = new StatisticalModel(
    new PyhfBackend({ backgroundOnlyModel: set.apply(workspace, name, { verify: false }), signalPatch: [] }),
  );
  npar = model.config().npar;
  const a = performance.now();
  const cpuCls = process.cpuUsage();
  model.exclusionConfidenceLevel({ expected: "all" });
  clsCpu.push(process.cpuUsage(cpuCls).user / 1000);
  const b = performance.now();
  const cpu = process.cpuUsage();
  model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
  const c = performance.now();
  limitsCpu.push(process.cpuUsage(cpu).user / 1000);
  cls.push(b - a);
  limits.push(c - b);
}
const total = (performance.now() - t0) / 1000;
console.log(
  `HEPData-style analysis: ${names.length} signal points, ${npar} parameters per model, ${bkgOnly.channels.length} channels`,
);
console.log(
  `sequential: CLs (observed + ±2σ) median ${median(cls).toFixed(0)} ms (max ${Math.max(...cls).toFixed(0)}), upper limit with ±2σ band median ${median(limits).toFixed(0)} ms (max ${Math.max(...limits).toFixed(0)}); all points ${total.toFixed(1)} s`,
);
// On a shared machine the wall time includes waiting for a core; the CPU time does not.
console.log(
  `CPU time:   CLs median ${median(clsCpu).toFixed(0)} ms (max ${Math.max(...clsCpu).toFixed(0)}), upper limit with ±2σ band median ${median(limitsCpu).toFixed(0)} ms (max ${Math.max(...limitsCpu).toFixed(0)})`,
);

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
      console.log(
        `spey batch (limit ±2σ + CLs per point), ${workers} worker${workers > 1 ? "s" : ""}: ${summary.ok}/${summary.total} ok in ${seconds.toFixed(1)} s (${((1000 * seconds) / summary.total).toFixed(0)} ms per point, start-up included)`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
