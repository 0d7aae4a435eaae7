// Simplified-likelihood backends on 2-, 8- and 50-bin models: CLs, upper limit, upper limit with
// ±2σ bands. spey's timings (test/fixtures/spey-reference.json, same machine kind) are shown for
// the reference case of the same backend whose bin count is closest (none exists for 50 bins).
import { readFileSync } from "node:fs";
import { getBackend, setLogHandler } from "../packages/spey/dist/index.js";
import { argumentsFor, syntheticModel } from "./models.js";

setLogHandler(() => {});
const reference = JSON.parse(
  readFileSync(new URL("../packages/spey/test/fixtures/spey-reference.json", import.meta.url), "utf8"),
);
const BACKENDS = [
  "default.uncorrelated_background",
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
];
const OPS = [
  {
    label: "CLs",
    match: (r) =>
      r.op === "exclusion_confidence_level" &&
      r.args.expected === "observed" &&
      r.args.poi_test === 1 &&
      !r.args.calculator &&
      !r.args.allow_negative_signal,
    run: (m) => m.exclusionConfidenceLevel(),
  },
  {
    label: "UL",
    match: (r) => r.op === "poi_upper_limit" && r.args.expected === "observed" && r.args.confidence_level === undefined,
    run: (m) => m.poiUpperLimit(),
  },
  {
    label: "UL ±2σ",
    match: (r) =>
      r.op === "poi_upper_limit" && r.args.expected === "aposteriori" && r.args.expected_pvalue === "2sigma",
    run: (m) => m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }),
  },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(build, run) {
  for (let i = 0; i < 10; i++) run(build());
  const samples = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < 200 && samples.length < 100)) {
    const model = build();
    const t0 = performance.now();
    run(model);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function speyTiming(backend, bins, op) {
  let best;
  for (const c of reference.cases) {
    if (c.backend !== backend || c.construct.error || !Array.isArray(c.kwargs.data)) continue;
    const r = c.results.find((x) => op.match(x) && x.ms !== undefined && !x.error);
    if (!r) continue;
    const d = Math.abs(c.kwargs.data.length - bins);
    if (!best || d < best.d) best = { d, ms: r.ms, bins: c.kwargs.data.length };
  }
  return best && best.d <= Math.max(2, 0.25 * bins) ? best : undefined;
}

console.log(
  `${"backend".padEnd(34)}${"bins".padStart(5)}  ${"operation".padEnd(8)}${"ours ms".padStart(10)}${"spey ms".padStart(12)}${"speed-up".padStart(10)}`,
);
for (const backend of BACKENDS) {
  for (const bins of [2, 8, 50]) {
    const args = argumentsFor(backend, syntheticModel(bins));
    const build = () => getBackend(backend)(args);
    for (const op of OPS) {
      const ours = time(build, op.run);
      const spey = speyTiming(backend, bins, op);
      const speyText = spey ? `${spey.ms.toFixed(1)} (${spey.bins}b)` : "n/a";
      const speed = spey ? `${(spey.ms / ours).toFixed(0)}×` : "";
      console.log(
        `${backend.padEnd(34)}${String(bins).padStart(5)}  ${op.label.padEnd(8)}${ours.toFixed(3).padStart(10)}${speyText.padStart(12)}${speed.padStart(10)}`,
      );
    }
  }
}
