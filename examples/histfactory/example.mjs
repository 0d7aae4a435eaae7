#!/usr/bin/env node
// The HistFactory (pyhf JSON) backend from JavaScript. Build first: `npm run build`, then
//
//   node examples/histfactory/example.mjs
//
// BkgOnly.json is a small background-only workspace (two control regions, two signal regions);
// patchset.json is a pyhf patch set with two signal points (its sha256 digest is that of
// BkgOnly.json, so `pyhf patchset apply` and this package accept it).
import { fileURLToPath } from "node:url";
import {
  compareUpperLimits,
  modelFromWorkspaceFiles,
  PatchSet,
  PyhfBackend,
  simplifyHistFactory,
  Workspace,
} from "../../dist/backends/histfactory/index.js";
import { StatisticalModel } from "../../dist/index.js";

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

// 1. A workspace and one patch of the patch set, as the CLI reads them.
const model = modelFromWorkspaceFiles(here("BkgOnly.json"), [`${here("patchset.json")}:stop_300`]);
const [observed, expected] = model.exclusionConfidenceLevel({ expected: "all" });
console.log(
  "1 − CLs(μ = 1): observed",
  observed[0].toFixed(4),
  "expected",
  expected.map((x) => x.toFixed(4)).join(" "),
);
console.log("upper limit on μ:", model.poiUpperLimit().toFixed(4));

// 2. The same through the workspace API: patch, prune, inspect.
const workspace = Workspace.fromFile(here("BkgOnly.json"));
const patchSet = PatchSet.fromFile(here("patchset.json"));
const signal = patchSet.apply(workspace, [500]); // by values of the labels (m_stop = 500)
console.log("channels", signal.channels.join(", "), "— parameters", signal.model().parameterNames.join(", "));

// 3. ROOT / pyhf-validation conventions: HistFactory's interpolation codes (normsys code1,
//    histosys code0), the measurement's POI bounds in every fit, and qμ with μ̂ ≥ 0.
const root = new StatisticalModel(
  new PyhfBackend({
    backgroundOnlyModel: signal,
    signalPatch: [],
    poiBounds: "measurement",
    modifierSettings: { normsys: { interpcode: "code1" }, histosys: { interpcode: "code0" } },
  }),
);
console.log(
  "CLs with qμ (ROOT conventions):",
  (1 - root.exclusionConfidenceLevel({ allowNegativeSignal: true })[0]).toFixed(5),
);

// 4. Full → simplified likelihood (spey-pyhf's pyhf.simplify) and how close its limit comes.
const { backend } = simplifyHistFactory({ statisticalModel: model, convertTo: "default.correlated_background" });
const comparison = compareUpperLimits(model, new StatisticalModel(backend));
console.log(
  `simplified limit ${comparison.simplified.toFixed(4)} vs full ${comparison.full.toFixed(4)} (${(100 * comparison.relativeDifference).toFixed(1)}%)`,
);
