// Large correlated models (issue #13: "models of 5,000 bins must validate and compute"): model
// construction (which validates the covariance: one Cholesky factorisation), CLs and the observed
// upper limit on 1,000- and 5,000-bin models of the four correlated backends. One run each (these
// are seconds, not milliseconds); the CLs and the limit are printed so that runs can be compared.
//
//   node bench/large-simplified.js [bins…]      default: 1000 5000
//
// SPEY_DIST=path/to/spey/dist runs the same measurements against another build (e.g. an older
// commit's) for before/after comparisons.
import { argumentsFor, syntheticModel } from "./models.js";

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dist = process.env.SPEY_DIST
  ? pathToFileURL(`${resolve(process.env.SPEY_DIST)}/`).href
  : new URL("../packages/spey/dist/", import.meta.url).href;
const { getBackend, setLogHandler } = await import(new URL("index.js", dist).href);
setLogHandler(() => {});

const BACKENDS = [
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
  "default.multivariate_normal",
];
const sizes = process.argv.slice(2).map(Number);
const BINS = sizes.length > 0 ? sizes : [1000, 5000];

function seconds(ms) {
  return (ms / 1000).toFixed(2).padStart(8);
}

console.log(
  `${"backend".padEnd(34)}${"bins".padStart(6)}${"build s".padStart(9)}${"CLs s".padStart(9)}${"UL s".padStart(9)}   1−CLs, UL`,
);
for (const bins of BINS) {
  // a signal small enough that 1 − CLs is not saturated at every size
  const m = syntheticModel(bins, { signalScale: 0.05 });
  for (const backend of BACKENDS) {
    const args =
      backend === "default.multivariate_normal"
        ? { signalYields: m.signal, backgroundYields: m.background, data: m.data, covarianceMatrix: m.covariance }
        : argumentsFor(backend, m);
    let t = performance.now();
    const model = getBackend(backend)(args);
    const build = performance.now() - t;
    t = performance.now();
    const cls = model.exclusionConfidenceLevel()[0];
    const clsMs = performance.now() - t;
    t = performance.now();
    const ul = model.poiUpperLimit();
    const ulMs = performance.now() - t;
    console.log(
      `${backend.padEnd(34)}${String(bins).padStart(6)}${seconds(build)} ${seconds(clsMs)} ${seconds(ulMs)}   ${cls.toPrecision(10)}, ${ul.toPrecision(10)}`,
    );
  }
}
