/** Colours and sizes shared by the plots (ROOT/CMS-like conventions, colour-blind-safe choices). */
export const THEME = {
  width: 640,
  height: 420,
  observed: "#000000",
  expected: "#000000",
  band1: "#4daf4a",
  band2: "#ffd92f",
  limitLine: "#d62728",
  expectedContour: "#d62728",
  contours: ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"],
  scheme: "viridis",
  dash: "6,4",
  dot: "2,3",
} as const;

/** Top margin: room for the title when there is one. */
export function marginTop(title: string | undefined, extra = 0): number {
  return (title ? 34 : 14) + extra;
}

/** The plot frame every figure shares: document, size, clipping and margins (Observable Plot options). */
export function frame(
  document: unknown,
  size: { width: number; height: number },
  margins: { top: number; right: number; bottom?: number; left?: number },
) {
  return {
    document: document as Document,
    width: size.width,
    height: size.height,
    clip: true,
    marginTop: margins.top,
    marginRight: margins.right,
    marginBottom: margins.bottom ?? 42,
    marginLeft: margins.left ?? 56,
  };
}
