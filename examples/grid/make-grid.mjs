#!/usr/bin/env node
// Generates the example grid: a toy gluino search in three signal regions over a mass plane
// m(gluino) × m(neutralino), one signal point per line, laid over the shared background model
// background.json. Deterministic: the same arguments always give the same file.
//
//   node examples/grid/make-grid.mjs                  # 20 × 20 = 400 points → examples/grid/grid.jsonl
//   node examples/grid/make-grid.mjs --nx 100 --ny 100 --out /tmp/grid-10k.jsonl
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Integrated luminosity in fb⁻¹. */
const LUMINOSITY = 139;

/** Toy production cross section in fb, falling exponentially with the gluino mass (GeV). */
function crossSection(mGluino) {
  return 100 * Math.exp(-(mGluino - 1000) / 170);
}

/**
 * Toy acceptance × efficiency of the three signal regions as a function of the mass splitting:
 * the low-MET region favours compressed spectra, the high-MET region large splittings.
 */
function efficiencies(mGluino, mNeutralino) {
  const x = (mGluino - mNeutralino) / mGluino;
  return [0.02 + 0.03 * (1 - x), 0.02 + 0.06 * x ** 2, 0.005 + 0.2 * x ** 4];
}

const round = (v) => Number(v.toPrecision(4));

/**
 * The grid lines: `nx` gluino masses from 1000 GeV in steps of 1900/(nx−1) GeV and `ny`
 * neutralino masses from 0 to 950 GeV.
 */
export function makeGrid({ nx = 20, ny = 20 } = {}) {
  const lines = [];
  for (let i = 0; i < nx; i++) {
    const mGluino = round(1000 + (1900 * i) / Math.max(nx - 1, 1));
    for (let j = 0; j < ny; j++) {
      const mNeutralino = round((950 * j) / Math.max(ny - 1, 1));
      const produced = LUMINOSITY * crossSection(mGluino);
      lines.push({
        id: `g${mGluino}_n${mNeutralino}`,
        meta: { m_gluino: mGluino, m_neutralino: mNeutralino, xsection_fb: round(crossSection(mGluino)) },
        signal_yields: efficiencies(mGluino, mNeutralino).map((e) => round(produced * e)),
      });
    }
  }
  return lines;
}

/** The grid as JSON Lines text. */
export function gridText(options) {
  return makeGrid(options)
    .map((line) => `${JSON.stringify(line)}\n`)
    .join("");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const nx = Number(value("--nx", "20"));
  const ny = Number(value("--ny", "20"));
  const out = value("--out", fileURLToPath(new URL("./grid.jsonl", import.meta.url)));
  writeFileSync(out, gridText({ nx, ny }));
  console.log(`wrote ${nx * ny} points to ${out}`);
}
