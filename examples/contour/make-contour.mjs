#!/usr/bin/env node
// Computes the 68% and 95% CL confidence contours of the single-bin example in the plane
// (μ, θ) — the signal strength and the background nuisance parameter — with the library's
// findContour, and saves them for `spey plot contour`. Needs the built package (npm run build).
//
//   node examples/contour/make-contour.mjs   → examples/contour/single-bin-contours.json
//
// (`spey plot contour examples/single-bin.json` computes the same contours on the fly.)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findContour, getBackend, setLogLevel } from "../../dist/index.js";

setLogLevel(0);
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const { backend, ...args } = JSON.parse(readFileSync(here("../single-bin.json"), "utf8"));
const model = getBackend(backend)(args);

const round = (v) => Number(v.toPrecision(8));
const contours = [0.6827, 0.95].map((confidenceLevel) => {
  const c = findContour(model, { confidenceLevel, poiIndices: [0, 1] });
  return {
    ...c,
    parameterNames: ["μ", "θ"],
    points: c.points.map((p) => p.map(round)),
  };
});
const text = `{\n "contours": [\n${contours.map((c) => `  ${JSON.stringify(c)}`).join(",\n")}\n ]\n}\n`;
writeFileSync(here("./single-bin-contours.json"), text);
console.log(`wrote ${here("./single-bin-contours.json")}`);
