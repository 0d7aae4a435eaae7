// HistFactory backend on synthetic workspaces of growing size: build, CLs, upper limit with ±2σ.
// Usage: npm run build && node bench/histfactory.js
import { PyhfBackend, Random, StatisticalModel, setLogHandler } from "../packages/spey/dist/index.js";
import { largeWorkspace } from "./large-workspace.js";

setLogHandler(() => {});
console.log(
  `${"model".padEnd(28)}${"parameters".padStart(11)}${"build ms".padStart(10)}${"CLs ms".padStart(10)}${"UL ±2σ ms".padStart(11)}`,
);
for (const [channels, bins, systematics] of [
  [2, 3, 4],
  [6, 4, 12],
  [10, 5, 20],
  [20, 8, 40],
]) {
  const ws = largeWorkspace(channels, bins, systematics, new Random(3));
  const t0 = performance.now();
  const model = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] }));
  const t1 = performance.now();
  model.exclusionConfidenceLevel({ expected: "all" });
  const t2 = performance.now();
  model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
  const t3 = performance.now();
  const label = `${channels} ch × ${bins} bins, ${systematics} syst`;
  console.log(
    `${label.padEnd(28)}${String(model.config().npar).padStart(11)}${(t1 - t0).toFixed(1).padStart(10)}${(t2 - t1).toFixed(1).padStart(10)}${(t3 - t2).toFixed(1).padStart(11)}`,
  );
}
