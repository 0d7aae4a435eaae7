import * as spey from "spey";
const n = Number(process.argv[2] ?? 5000), backend = process.argv[3] ?? "default.correlated_background";
const cov = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 4 : Math.abs(i - j) === 1 ? 1.2 : 0)));
const args = {
  signalYields: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0)),
  backgroundYields: Array.from({ length: n }, (_, i) => 10 + (i % 7)),
  data: Array.from({ length: n }, (_, i) => 10 + (i % 7) + (i % 3) - 1),
  covarianceMatrix: cov,
  ...(backend.includes("third") ? { thirdMoment: Array.from({ length: n }, () => 0.5) } : {}),
};
let t0 = Date.now();
const m = spey.getBackend(backend)(args);
console.log("built", Date.now() - t0); t0 = Date.now();
console.log(m.exclusionConfidenceLevel({ expected: "all" })[0], Date.now() - t0);
if (process.argv[4]) { t0 = Date.now(); console.log(m.poiUpperLimit(), Date.now() - t0); }
