// Combinations against their members, in the same run: each operation on the combination is timed
// next to the same operation on every member, and the ratio combination / Σ members is reported
// (the target is ≤ 1.5: a combination costs no more than its members plus a little).
// Usage: npm run build && node bench/combiners.js [path/to/other/spey/dist/index.js]
// Or compare with a build of an earlier revision: SPEY_BASELINE=<checkout made by bench/baseline.js>.
// With a second library build the table also shows that build's ratios (old code vs new code).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const reference = JSON.parse(
  readFileSync(new URL("../packages/spey/test/fixtures/spey-reference.json", import.meta.url), "utf8"),
);
const builds = [["new", await import("../packages/spey/dist/index.js")]];
const baseline = process.env.SPEY_BASELINE ? `${process.env.SPEY_BASELINE}/packages/spey/dist/index.js` : undefined;
const other = process.argv[2] || baseline;
if (other) builds.push(["old", await import(pathToFileURL(other).href)]);
for (const [, lib] of builds) lib.setLogHandler(() => {});

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Times (ms) of `run(build())` for several builders, construction excluded, measured in alternating
 * rounds so that a change of the machine's load hits them alike: after a warm-up of ≥ 150 ms each,
 * seven rounds each take the median of ≥ 5 runs (or 20 ms) per builder, and each builder's time is
 * its smallest round median — robust to other processes on a shared machine.
 */
function timeAll(builders, run, minMs = 20) {
  for (const build of builders) {
    const start = performance.now();
    for (let i = 0; i < 20 || performance.now() - start < 150; i++) run(build());
  }
  const best = builders.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < 7; round++) {
    builders.forEach((build, k) => {
      const samples = [];
      const start = performance.now();
      while (samples.length < 5 || (performance.now() - start < minMs && samples.length < 300)) {
        const model = build();
        const t0 = performance.now();
        run(model);
        samples.push(performance.now() - t0);
      }
      best[k] = Math.min(best[k], median(samples));
    });
  }
  return best;
}

const ALL_OPS = [
  ["likelihood(μ=1)", (m) => m.likelihood({ poiTest: 1 })],
  ["CLs observed", (m) => m.exclusionConfidenceLevel()],
  ["CLs expected", (m) => m.exclusionConfidenceLevel({ expected: "aposteriori" })],
  ["CLs all", (m) => m.exclusionConfidenceLevel({ expected: "all" })],
  ["UL observed", (m) => m.poiUpperLimit()],
  ["UL ±2σ", (m) => m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" })],
  ["significance", (m) => m.significance()],
];
// COMBINER_BENCH_OPS="CLs observed,significance" and COMBINER_BENCH_ONLY=UnCorr (a substring of the
// combiner's title) time a subset, e.g. while working on one path; by default everything runs.
const onlyOps = process.env.COMBINER_BENCH_OPS?.split(",").map((s) => s.trim());
const OPS = onlyOps ? ALL_OPS.filter(([label]) => onlyOps.includes(label)) : ALL_OPS;

const cases = reference.cases.filter((c) => c.backend === "UnCorrStatisticsCombiner" && !c.construct.error);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
/** The target of issue #16: a combination costs at most this multiple of its members' summed time. */
const TARGET = 1.5;

/** The two combiners, each sharing only μ between independent analyses. */
const COMBINERS = [
  ["UnCorrStatisticsCombiner", (lib, members) => new lib.UnCorrStatisticsCombiner(...members)],
  [
    "default.correlated_combiner (shared μ)",
    (lib, members) =>
      lib.getBackend("default.correlated_combiner")({ statisticalModels: members, sharedParameters: ["mu"] }),
  ],
];

/** Every (combiner, case, operation) ratio of each build, for the summary. */
const ratios = new Map();
for (const [title, combine] of COMBINERS) {
  if (process.env.COMBINER_BENCH_ONLY && !title.includes(process.env.COMBINER_BENCH_ONLY)) continue;
  console.log(`\n${title}: combination time / Σ member times (same operation, same run)`);
  console.log(
    `${pad("case", 22)}${pad("operation", 17)}${builds.map(([n]) => `${lpad(`${n} comb ms`, 13)}${lpad(`${n} Σmem ms`, 13)}${lpad(`${n} ratio`, 11)}`).join("")}`,
  );
  for (const c of cases) {
    for (const [label, run] of OPS) {
      let line = `${pad(c.id, 22)}${pad(label, 17)}`;
      for (const [name, lib] of builds) {
        const members = c.kwargs.models.map(
          (m) => () => lib.getBackend(m.backend)({ ...m.kwargs, analysis: m.analysis }),
        );
        const build = () =>
          combine(
            lib,
            members.map((b) => b()),
          );
        const [comb, ...each] = timeAll([build, ...members], run);
        const sum = each.reduce((s, t) => s + t, 0);
        const ratio = comb / sum;
        const key = `${name}|${title}|${label}`;
        ratios.set(key, [...(ratios.get(key) ?? []), { id: c.id, ratio }]);
        line += `${lpad(comb.toFixed(3), 13)}${lpad(sum.toFixed(3), 13)}${lpad(`${ratio.toFixed(2)}×`, 11)}`;
      }
      console.log(line);
    }
  }
}

console.log(`\nPer combiner and operation: geometric mean and worst ratio over the cases (target ≤ ${TARGET}×)`);
const worstOf = new Map();
for (const [key, rows] of ratios) {
  const [name, title, label] = key.split("|");
  const g = Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length);
  const worst = rows.reduce((w, r) => (r.ratio > w.ratio ? r : w));
  const over = rows.filter((r) => r.ratio > TARGET).length;
  console.log(
    `  ${pad(name, 4)}${pad(title.split(" ")[0], 28)}${pad(label, 17)} mean ${lpad(`${g.toFixed(2)}×`, 7)}  worst ${lpad(`${worst.ratio.toFixed(2)}×`, 7)} (${worst.id})  over ${TARGET}×: ${over}/${rows.length}`,
  );
  const w = worstOf.get(name);
  if (!w || worst.ratio > w.ratio) worstOf.set(name, { ...worst, title, label });
}
for (const [name, w] of worstOf) {
  console.log(`Worst ratio (${name}): ${w.ratio.toFixed(2)}× — ${w.title}, ${w.label}, ${w.id}`);
}

// (a subset of operations or combiners: the evaluation table below is left out)
if (onlyOps || process.env.COMBINER_BENCH_ONLY) process.exit(0);

// default.correlated_combiner: one evaluation of log L, of (−log L, ∇) and of the Hessian of the
// combination against the same evaluations of its members at the same parameters.
console.log(
  "\ndefault.correlated_combiner (nothing shared, as the bench has always timed it): one evaluation of the combination / Σ the members' evaluations",
);
console.log(
  `${pad("case", 22)}${pad("evaluation", 17)}${builds.map(([n]) => `${lpad(`${n} comb µs`, 13)}${lpad(`${n} Σmem µs`, 13)}${lpad(`${n} ratio`, 11)}`).join("")}`,
);

/** Microseconds per call of `fn`: the fastest of five 20 ms batches after a warm-up. */
function timeEval(fn, batchMs = 20) {
  for (let i = 0; i < 2000; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    let reps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < batchMs) {
      for (let i = 0; i < 100; i++) fn();
      reps += 100;
    }
    best = Math.min(best, ((performance.now() - t0) / reps) * 1000);
  }
  return best;
}

for (const c of cases) {
  // "Hessian → buffer": as a fit evaluates it, into one buffer for every step (HessianFunction's
  // `out`; a build without it allocates anyway)
  const rows = { "log L": [], "−log L and ∇": [], Hessian: [], "Hessian → buffer": [] };
  for (const [, lib] of builds) {
    const members = c.kwargs.models.map((m) => lib.getBackend(m.backend)({ ...m.kwargs, analysis: m.analysis }));
    const combined = new lib.StatisticalModel(new lib.CorrelatedCombiner({ models: members }));
    const backend = combined.backend;
    const p = Float64Array.from(backend.config().suggestedInit);
    const memberPars = members.map((m) => Float64Array.from(m.backend.config().suggestedInit));
    const logpdf = backend.getLogpdfFunc({});
    const objective = backend.getObjectiveFunction({});
    const grad = new Float64Array(p.length);
    const hess = backend.getHessianLogpdfFunc({});
    const mLogpdf = members.map((m) => m.backend.getLogpdfFunc({}));
    const mObjective = members.map((m) => m.backend.getObjectiveFunction({}));
    const mGrad = memberPars.map((q) => new Float64Array(q.length));
    const mHess = members.map((m) => m.backend.getHessianLogpdfFunc({}));
    // the members' evaluations in one loop, each member in turn, as the combination calls them
    // (timing each member in its own loop lets V8 specialise that loop to one member: a sum of
    // such times is faster than any code that calls several members can be)
    const n = members.length;
    rows["log L"].push([
      timeEval(() => logpdf(p)),
      timeEval(() => {
        for (let k = 0; k < n; k++) mLogpdf[k](memberPars[k]);
      }),
    ]);
    rows["−log L and ∇"].push([
      timeEval(() => objective(p, grad)),
      timeEval(() => {
        for (let k = 0; k < n; k++) mObjective[k](memberPars[k], mGrad[k]);
      }),
    ]);
    rows.Hessian.push([
      timeEval(() => hess(p)),
      timeEval(() => {
        for (let k = 0; k < n; k++) mHess[k](memberPars[k]);
      }),
    ]);
    const out = new Float64Array(p.length ** 2);
    const mOut = memberPars.map((q) => new Float64Array(q.length ** 2));
    rows["Hessian → buffer"].push([
      timeEval(() => hess(p, out)),
      timeEval(() => {
        for (let k = 0; k < n; k++) mHess[k](memberPars[k], mOut[k]);
      }),
    ]);
  }
  for (const [label, values] of Object.entries(rows)) {
    console.log(
      `${pad(c.id, 22)}${pad(label, 17)}${values.map(([a, b]) => `${lpad(a.toFixed(3), 13)}${lpad(b.toFixed(3), 13)}${lpad(`${(a / b).toFixed(2)}×`, 11)}`).join("")}`,
    );
  }
}
