// HistFactory backend on synthetic workspaces of growing size (20 → 246 parameters): build, one
// hypothesis test (observed and expected CLs), the observed upper limit and the expected limits
// with their ±2σ band, their sum "limit + band", and limitSummary (what `spey limit` and the batch
// runner compute: the same limits from one preparation).
// The point is how the limits' cost grows next to the test's: the columns "…/test" and the growth
// rows compare them within this run (the target: limit + band grows no faster than the test).
// Times are CPU times of this process (user + system): on a machine loaded by other processes they
// stay close to an idle machine's, wall times do not.
// Usage: npm run build && node bench/histfactory.js [path/to/another/spey/dist/index.js]
// Or compare with a build of an earlier revision: SPEY_BASELINE=<checkout made by bench/baseline.js>.
// With a second library build (e.g. the previous commit's) both are timed on the same models in
// the same run, and the table shows old/new ratios.
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { largeWorkspace } from "./large-workspace.js";

const builds = [["new", await import("../packages/spey/dist/index.js")]];
const baseline = process.env.SPEY_BASELINE ? `${process.env.SPEY_BASELINE}/packages/spey/dist/index.js` : undefined;
const other = process.argv[2] || baseline;
if (other) builds.push(["old", await import(pathToFileURL(other).href)]);
for (const [, lib] of builds) lib.setLogHandler(() => {});

const SIZES = [
  [2, 3, 4],
  [6, 4, 12],
  [10, 5, 20],
  [20, 8, 40],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU time (ms) of this process so far. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median CPU time (ms) of `run` on a fresh model, over `repeats` runs after `warmups` warm-up runs. */
function time(build, run, repeats, warmups = 1) {
  for (let i = 0; i < warmups; i++) run(build());
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const model = build();
    const t0 = cpuMs();
    run(model);
    samples.push(cpuMs() - t0);
  }
  return median(samples);
}

const opsOf = (lib) => ({
  test: (m) => m.exclusionConfidenceLevel({ expected: "all" }),
  obs: (m) => m.poiUpperLimit(),
  band: (m) => m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }),
  // What `spey limit` and the batch runner compute: the observed limit and the ±2σ band (one
  // preparation for both where the build has poiUpperLimitWithBand).
  summary: (m) => lib.limitSummary(m, { expected: "aposteriori" }),
});

// Warm-up of every operation on the smallest workspace before anything is timed: the first row
// would otherwise carry the JIT compilation of the whole path (its times, and with them every
// growth factor, moved by 2–3× between runs).
for (const [, lib] of builds) {
  const [channels, bins, systematics] = SIZES[0];
  const ws = largeWorkspace(channels, bins, systematics, new lib.Random(3));
  for (let i = 0; i < 5; i++) {
    for (const run of Object.values(opsOf(lib))) {
      run(new lib.StatisticalModel(new lib.PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] })));
    }
  }
}

const rows = [];
for (const [channels, bins, systematics] of SIZES) {
  for (const [name, lib] of builds) {
    const ws = largeWorkspace(channels, bins, systematics, new lib.Random(3));
    const build = () => new lib.StatisticalModel(new lib.PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] }));
    const t0 = cpuMs();
    const model = build();
    const buildMs = cpuMs() - t0;
    const large = model.config().npar > 200;
    const [repeats, warmups] = large ? [3, 0] : [7, 1];
    const row = {
      name,
      label: `${channels} ch × ${bins} bins, ${systematics} syst`,
      npar: model.config().npar,
      buildMs,
    };
    for (const [op, run] of Object.entries(opsOf(lib))) row[op] = time(build, run, repeats, warmups);
    row.limits = row.obs + row.band;
    rows.push(row);
  }
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
console.log(
  `load average: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} (CPU times in ms)`,
);
console.log(
  `${"build".padEnd(6)}${"model".padEnd(28)}${"params".padStart(7)}${"build".padStart(8)}${"test".padStart(9)}${"UL obs".padStart(9)}${"UL ±2σ".padStart(9)}${"UL+band".padStart(9)}${"summary".padStart(9)}${"obs/test".padStart(10)}${"±2σ/test".padStart(10)}${"UL+band/test".padStart(14)}${"summary/test".padStart(14)}`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(6)}${r.label.padEnd(28)}${String(r.npar).padStart(7)}${fmt(r.buildMs).padStart(8)}${fmt(r.test).padStart(9)}${fmt(r.obs).padStart(9)}${fmt(r.band).padStart(9)}${fmt(r.limits).padStart(9)}${fmt(r.summary).padStart(9)}${`${(r.obs / r.test).toFixed(1)}×`.padStart(10)}${`${(r.band / r.test).toFixed(1)}×`.padStart(10)}${`${(r.limits / r.test).toFixed(1)}×`.padStart(14)}${`${(r.summary / r.test).toFixed(1)}×`.padStart(14)}`,
  );
}
console.log(
  "(UL+band: two poiUpperLimit calls, observed and ±2σ; summary: limitSummary, the same limits from one preparation)",
);
console.log("\nGrowth from the smallest to the largest workspace (time at the largest / time at the smallest):");
for (const [name] of builds) {
  const mine = rows.filter((r) => r.name === name);
  const first = mine[0];
  const last = mine[mine.length - 1];
  const g = (op) => last[op] / first[op];
  console.log(
    `  ${name.padEnd(4)} ${first.npar} → ${last.npar} parameters: hypothesis test ×${g("test").toFixed(1)}, observed limit ×${g("obs").toFixed(1)}, ±2σ band ×${g("band").toFixed(1)}, limit + band ×${g("limits").toFixed(1)}, limitSummary ×${g("summary").toFixed(1)}`,
  );
  console.log(
    `       growth / test growth (target ≤ 1): limit + band ${(g("limits") / g("test")).toFixed(2)}, limitSummary ${(g("summary") / g("test")).toFixed(2)}`,
  );
}
if (builds.length > 1) {
  console.log("\nOld / new time per operation:");
  for (let i = 0; i < rows.length; i += 2) {
    const [n, o] = [rows[i], rows[i + 1]];
    console.log(
      `  ${String(n.npar).padStart(4)} parameters: test ${(o.test / n.test).toFixed(2)}×, UL obs ${(o.obs / n.obs).toFixed(2)}×, UL ±2σ ${(o.band / n.band).toFixed(2)}×, UL + band ${(o.limits / n.limits).toFixed(2)}×, limitSummary ${(o.summary / n.summary).toFixed(2)}×`,
    );
  }
}
