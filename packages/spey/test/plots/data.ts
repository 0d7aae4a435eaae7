/**
 * Fixed inputs of the plot snapshots: synthetic curves with the shapes of real results, so the
 * snapshots depend on the plotting code only (not on the numerics of the library).
 */
import type { BrazilBandData, ContourResult, GridPlotPoint, LikelihoodScanData } from "../../src/plots/types.js";

const mus = Array.from({ length: 16 }, (_, i) => (3 * i) / 15);

/** CLs(μ) ≈ exp(−μ²/2σ²) shapes with a median limit near μ = 1.5. */
export const BRAZIL: BrazilBandData = {
  poiValues: mus,
  observed: mus.map((mu) => Math.exp(-(mu * mu) / 0.9)),
  expected: mus.map((mu) => [0.45, 0.6, 0.8, 1.05, 1.35].map((s) => Math.exp(-(mu * mu) / (s * s * 1.33)))),
  confidenceLevel: 0.95,
};

/** Parabolic Δ(−2 ln L) with μ̂ = 0.7. */
export const SCAN: LikelihoodScanData = {
  poiValues: mus,
  observed: mus.map((mu) => ((mu - 0.7) / 0.55) ** 2),
  expected: mus.map((mu) => (mu / 0.6) ** 2),
  muHat: 0.7,
};

/** A 12 × 10 mass plane with μ_UL growing with the parent mass; one failed point. */
export const GRID: GridPlotPoint[] = [];
for (let i = 0; i < 12; i++) {
  for (let j = 0; j < 10; j++) {
    const x = 800 + 100 * i;
    const y = 50 * j;
    const ul = 10 ** ((x - 1300 - 0.8 * y) / 400);
    GRID.push(
      i === 3 && j === 4
        ? { x, y }
        : { x, y, observed: ul * 1.1, expected: [0.5, 0.7, 1, 1.4, 1.9].map((f) => ul * f) },
    );
  }
}

const ellipse = (scale: number, cx = 1, cy = 0.2): number[][] =>
  Array.from({ length: 36 }, (_, k) => {
    const t = (2 * Math.PI * k) / 36;
    return [cx + scale * Math.cos(t), cy + 0.5 * scale * Math.sin(t) + 0.2 * scale * Math.cos(t)];
  });

/** Two nested contours of a tilted ellipse (68% and 95% CL for two parameters), as findContour returns them. */
export const CONTOURS: ContourResult[] = [
  {
    parameterNames: ["μ", "θ"],
    points: ellipse(1),
    nllMin: 3.2,
    threshold: 3.2 + 2.2957 / 2,
    delta: 2.2957,
    confidenceLevel: 0.6827,
    thetaMle: [1, 0.2],
    basins: [[1, 0.2]],
  },
  {
    parameterNames: ["μ", "θ"],
    points: ellipse(1.6),
    nllMin: 3.2,
    threshold: 3.2 + 5.9915 / 2,
    delta: 5.9915,
    confidenceLevel: 0.95,
    thetaMle: [1, 0.2],
    basins: [[1, 0.2]],
  },
];

/** A region with two basins: the points of each ring, shuffled together. */
export const TWO_BASINS: ContourResult = {
  parameterNames: ["a", "b"],
  points: ellipse(0.6, -1, 0).flatMap((p, k) => [p, ellipse(0.4, 1.5, 0.5)[k] as number[]]),
  nllMin: 0,
  threshold: 2.9957,
  confidenceLevel: 0.95,
  thetaMle: [-1, 0],
  basins: [
    [-1, 0],
    [1.5, 0.5],
  ],
};
