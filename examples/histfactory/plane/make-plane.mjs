// Writes patchset.json: a pyhf patch set over ../BkgOnly.json in the plane of two masses
// (labels m_stop, m_neutralino), for the playground's exclusion plot and its tests. The signal is
// the stop_300 patch of ../patchset.json scaled by a falling "cross-section" exp(−(m_stop − 300)/300)
// times an acceptance 1 − exp(−Δm/200), Δm = m_stop − m_neutralino, on a triangle Δm ≥ 200 GeV.
// Usage: node examples/histfactory/plane/make-plane.mjs
import { readFileSync, writeFileSync } from "node:fs";

const here = new URL("./", import.meta.url);
const base = JSON.parse(readFileSync(new URL("../patchset.json", here), "utf8"));
const template = base.patches.find((p) => p.metadata.name === "stop_300").patch;
const round = (x) => Math.round(x * 1e4) / 1e4;
const patches = [];
for (let mStop = 300; mStop <= 900; mStop += 100) {
  for (let mChi = 0; mChi <= mStop - 200 && mChi <= 400; mChi += 100) {
    const f = 2.5 * Math.exp(-(mStop - 300) / 300) * (1 - Math.exp(-(mStop - mChi) / 200));
    const patch = template.map((op) => ({ ...op, value: { ...op.value, data: op.value.data.map((s) => round(s * f)) } }));
    patches.push({ metadata: { name: `stop_${mStop}_${mChi}`, values: [mStop, mChi] }, patch });
  }
}
const patchSet = {
  metadata: {
    description: "signal points in the (m_stop, m_neutralino) plane for ../BkgOnly.json (hand-made)",
    digests: base.metadata.digests,
    labels: ["m_stop", "m_neutralino"],
    references: base.metadata.references,
  },
  patches,
  version: base.version,
};
writeFileSync(new URL("patchset.json", here), `${JSON.stringify(patchSet, null, 1)}\n`);
console.log(`${patches.length} patches`);
