// Benchmarks: per-operation timings of this package against the Python spey timings recorded in
// test/fixtures/spey-reference.json (spey's median over fresh models on this machine kind, with
// model construction excluded — measured the same way here). Run with `npm run bench`.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { availableBackends, getBackend, setLogHandler } from "../packages/spey/dist/index.js";

setLogHandler(() => {});
const reference = JSON.parse(
  readFileSync(new URL("../packages/spey/test/fixtures/spey-reference.json", import.meta.url), "utf8"),
);
const available = new Set(availableBackends());

const OPS = [
  {
    label: "CLs (observed)",
    op: "exclusion_confidence_level",
    match: (a) => a.expected === "observed" && a.poi_test === 1 && !a.calculator && !a.allow_negative_signal,
    run: (m) => m.exclusionConfidenceLevel(),
  },
  {
    label: "UL (observed)",
    op: "poi_upper_limit",
    match: (a) => a.expected === "observed" && a.confidence_level === undefined,
    run: (m) => m.poiUpperLimit(),
  },
  {
    label: "UL + ±2σ bands",
    op: "poi_upper_limit",
    match: (a) => a.expected === "aposteriori" && a.expected_pvalue === "2sigma",
    run: (m) => m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }),
  },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time (ms) of `run` on fresh models, construction excluded. */
function time(build, run, { repeats = 7, minMs = 30 } = {}) {
  for (let i = 0; i < 10; i++) run(build()); // warm-up (JIT)
  const samples = [];
  const start = performance.now();
  while (samples.length < repeats || (performance.now() - start < minMs && samples.length < 200)) {
    const model = build();
    const t0 = performance.now();
    run(model);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const rows = [];
for (const c of reference.cases) {
  if (!available.has(c.backend) || c.construct.error) continue;
  const build = () => getBackend(c.backend)({ ...c.kwargs, analysis: c.id });
  try {
    build();
  } catch {
    continue; // spey built it, we reject it (e.g. a thirdMoment of the wrong length)
  }
  for (const o of OPS) {
    const ref = c.results.find((r) => r.op === o.op && o.match(r.args) && r.ms !== undefined && !r.error);
    if (!ref) continue;
    const ours = time(build, o.run);
    rows.push({
      case: c.id,
      backend: c.backend,
      bins: Array.isArray(c.kwargs.data) ? c.kwargs.data.length : null,
      op: o.label,
      ours,
      spey: ref.ms,
      speedup: ref.ms / ours,
    });
  }
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(
  `${pad("case", 46)}${pad("operation", 17)}${lpad("ours ms", 10)}${lpad("spey ms", 10)}${lpad("speed-up", 10)}`,
);
for (const r of rows) {
  console.log(
    `${pad(r.case, 46)}${pad(r.op, 17)}${lpad(r.ours.toFixed(3), 10)}${lpad(r.spey.toFixed(1), 10)}${lpad(`${r.speedup.toFixed(0)}×`, 10)}`,
  );
}

console.log("\nGeometric-mean speed-up per backend and operation:");
const groups = new Map();
for (const r of rows) {
  const k = `${r.backend} | ${r.op}`;
  groups.set(k, [...(groups.get(k) ?? []), r.speedup]);
}
for (const [k, v] of groups) {
  const g = Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
  console.log(`  ${pad(k, 60)} ${lpad(`${g.toFixed(0)}×`, 8)}  (${v.length} cases, min ${Math.min(...v).toFixed(0)}×)`);
}

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/reference-ops.json", import.meta.url), `${JSON.stringify(rows, null, 1)}\n`);
