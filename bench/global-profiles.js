// Cost of global profiles (issue #9): the reference suite (CLs, upper limit, upper limit with ±2σ
// bands of every reference case a backend builds) and points of the 10,000-point grid of
// bench/grid.js (eight-bin correlated models, limit + ±2σ bands), timed on this build and,
// optionally, on other builds of the library (e.g. one from before global profiles), against the
// Python spey's timings recorded in the reference file (same machine kind).
//
// Usage: node bench/global-profiles.js [--points N] [--backend NAME] [label=path/to/packages/spey/dist/index.js ...]
//
// Times are CPU times of this (single-threaded) process, so that a machine shared with other jobs
// still gives comparable numbers; builds are timed alternately on each case.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { argumentsFor, syntheticModel } from "./models.js";

const args = process.argv.slice(2);
let points = 200;
let only;
const builds = [["this build", await import("../packages/spey/dist/index.js")]];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--points") points = Number(args[++i]);
  else if (args[i] === "--backend") only = args[++i];
  else {
    const [label, path] = args[i].includes("=") ? args[i].split("=") : [args[i], args[i]];
    builds.push([label, await import(pathToFileURL(path).href)]);
  }
}
for (const [, lib] of builds) lib.setLogHandler(() => {});

const reference = JSON.parse(
  readFileSync(new URL("../packages/spey/test/fixtures/spey-reference.json", import.meta.url), "utf8"),
);

const OPS = [
  {
    label: "CLs",
    match: (a) => a.expected === "observed" && a.poi_test === 1 && !a.calculator && !a.allow_negative_signal,
    run: (m) => m.exclusionConfidenceLevel(),
    op: "exclusion_confidence_level",
  },
  {
    label: "UL",
    match: (a) => a.expected === "observed" && a.confidence_level === undefined,
    run: (m) => m.poiUpperLimit(),
    op: "poi_upper_limit",
  },
  {
    label: "UL ±2σ",
    match: (a) => a.expected === "aposteriori" && a.expected_pvalue === "2sigma",
    run: (m) => m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }),
    op: "poi_upper_limit",
  },
];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU ms of `run` on a freshly built model (construction excluded), after a warm-up of ≥ 100 ms CPU
 * (and ≥ 3 calls): `median`, the median over ≥ 15 calls (and ≥ 40 ms CPU) — the statistic of spey's
 * times in the reference file (median of 3 calls on fresh models) — and `mean`, the same calls'
 * mean. On a shared machine a few calls in a hundred take 1–30 ms of CPU for a 0.02 ms operation
 * (collector and compiler threads count in this process's CPU time, and they slow down when the
 * cores are contended): the mean then measures the machine more than the library.
 */
function cpuPerCall(build, run) {
  const warm = cpuMs();
  for (let i = 0; i < 3 || cpuMs() - warm < 100; i++) run(build());
  const times = [];
  let total = 0;
  while (times.length < 15 || (total < 40 && times.length < 2000)) {
    const model = build();
    const t0 = cpuMs();
    run(model);
    const spent = cpuMs() - t0;
    times.push(spent);
    total += spent;
  }
  times.sort((x, y) => x - y);
  const mid = times.length >> 1;
  const median = times.length % 2 === 1 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
  return { median, mean: total / times.length };
}

const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

// --- the reference suite -----------------------------------------------------------------------
const rows = [];
const pairs = [];
for (const c of reference.cases) {
  if (c.construct.error || (only && c.backend !== only)) continue;
  const usable = builds.every(([, lib]) => {
    if (!lib.availableBackends().includes(c.backend)) return false;
    try {
      lib.getBackend(c.backend)({ ...c.kwargs, analysis: c.id });
      return true;
    } catch {
      return false;
    }
  });
  if (!usable) continue;
  for (const o of OPS) {
    const ref = c.results.find((r) => r.op === o.op && o.match(r.args) && r.ms !== undefined && !r.error);
    if (ref) pairs.push([c, o, ref]);
  }
}
// every pair once per build before any timing: the first case of a backend was otherwise timed
// while V8 still compiled the code paths the later cases share (0.74 ms against 0.31 ms)
for (let pass = 0; pass < 3; pass++) {
  for (const [c, o] of pairs)
    for (const [, lib] of builds) o.run(lib.getBackend(c.backend)({ ...c.kwargs, analysis: c.id }));
}
for (const [c, o, ref] of pairs) {
  const timed = builds.map(([, lib]) =>
    cpuPerCall(() => lib.getBackend(c.backend)({ ...c.kwargs, analysis: c.id }), o.run),
  );
  rows.push({
    case: c.id,
    backend: c.backend,
    op: o.label,
    spey: ref.ms,
    ms: timed.map((t) => t.median),
    mean: timed[0].mean,
  });
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `Reference suite (${rows.length} case × operation pairs), CPU ms per call (median of the calls; "mean": this build's mean), geometric means:`,
);
const header = builds.map(([label]) => lpad(`${label} ms`, 16)).join("");
const vsOld = builds
  .slice(1)
  .map(([label]) => lpad(`÷ ${label}`, 16))
  .join("");
console.log(`${pad("backend | operation", 48)}${header}${lpad("vs spey", 10)}${lpad("mean vs spey", 14)}${vsOld}`);
const groups = new Map();
for (const r of rows) groups.set(`${r.backend} | ${r.op}`, [...(groups.get(`${r.backend} | ${r.op}`) ?? []), r]);
const line = (label, rs) => {
  const means = builds.map((_, b) => geomean(rs.map((r) => r.ms[b])));
  const speedup = geomean(rs.map((r) => r.spey / r.ms[0]));
  const meanSpeedup = geomean(rs.map((r) => r.spey / r.mean));
  const ratios = builds.slice(1).map((_, k) => geomean(rs.map((r) => r.ms[0] / r.ms[k + 1])));
  console.log(
    `${pad(label, 48)}${means.map((m) => lpad(m.toFixed(3), 16)).join("")}${lpad(`${speedup.toFixed(0)}×`, 10)}${lpad(`${meanSpeedup.toFixed(0)}×`, 14)}${ratios
      .map((x) => lpad(`${x.toFixed(2)}×`, 16))
      .join("")}`,
  );
};
for (const [k, rs] of groups) line(k, rs);
line("all", rows);
console.log("smallest speed-ups over spey of this build:");
for (const r of [...rows].sort((x, y) => x.spey / x.ms[0] - y.spey / y.ms[0]).slice(0, 5)) {
  console.log(
    `  ${pad(`${r.case} | ${r.op}`, 58)}${lpad(r.ms[0].toFixed(3), 10)} ms${lpad(`${(r.spey / r.ms[0]).toFixed(1)}×`, 9)}  (mean ${r.mean.toFixed(3)} ms)`,
  );
}

// --- the grid ------------------------------------------------------------------------------------
// spey's time per grid point: its observed limit plus its ±2σ expected limits on the eight-bin
// correlated reference case (the grid's model size).
const grid8 = reference.cases.find((c) => c.id === "correlated-background-random-block-03");
const speyPoint =
  grid8.results.find((r) => r.op === "poi_upper_limit" && OPS[1].match(r.args)).ms +
  grid8.results.find((r) => r.op === "poi_upper_limit" && OPS[2].match(r.args)).ms;
if (points === 0) process.exit(0);
const spent = builds.map(() => 0);
for (let i = 0; i < points; i++) {
  // grid.js's point i of 10,000 (spread over the grid: every 10000/points-th point)
  const k = Math.floor((i * 10000) / points);
  const m = syntheticModel(8, { signalScale: 0.2 + (k % 100) / 50, shift: k });
  builds.forEach(([, lib], b) => {
    const model = lib.getBackend("default.correlated_background")(argumentsFor("default.correlated_background", m));
    const t0 = cpuMs();
    model.poiUpperLimit();
    model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
    spent[b] += cpuMs() - t0;
  });
}
console.log(
  `\nGrid (bench/grid.js models, ${points} of the 10,000 points, limit + ±2σ bands), CPU per point and the 10,000 points on one thread:`,
);
builds.forEach(([label], b) => {
  const perPoint = spent[b] / points;
  console.log(
    `  ${pad(label, 20)} ${lpad(perPoint.toFixed(3), 8)} ms/point  ${lpad(((perPoint * 10000) / 1000).toFixed(1), 7)} s  ${lpad(`${(speyPoint / perPoint).toFixed(0)}×`, 7)} faster than spey (${speyPoint.toFixed(0)} ms/point)${b > 0 ? `  this build ÷ ${label}: ${(spent[0] / spent[b]).toFixed(2)}×` : ""}`,
  );
});
