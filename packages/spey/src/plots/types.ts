/**
 * Data shapes the plots draw. Everything here is plain data (numbers and strings), so the same
 * objects can come from the library in Node, from a JSON file, or from a computation in a browser.
 */

/** Names of the five expected values, in the library's order (index 0 = "−2σ"). */
export const EXPECTED_BAND_NAMES = ["−2σ", "−1σ", "median", "+1σ", "+2σ"] as const;

/** Five expected values ordered −2σ, −1σ, median, +1σ, +2σ (the library's order). */
export type ExpectedBand = readonly [number, number, number, number, number] | readonly number[];

/** A CLs scan over μ: the input of the Brazil-band plot. */
export interface BrazilBandData {
  /** Tested signal strengths μ, increasing. */
  readonly poiValues: readonly number[];
  /** Observed CLs at each μ (omit for an expected-only plot). */
  readonly observed?: readonly number[];
  /** Expected CLs at each μ: five values per μ, ordered −2σ, −1σ, median, +1σ, +2σ. */
  readonly expected: readonly ExpectedBand[];
  /** Confidence level of the exclusion line drawn at CLs = 1 − CL (default 0.95). */
  readonly confidenceLevel?: number;
  /**
   * The upper limits computed by the root finder (`poiUpperLimit`): the legend shows these. Without
   * them it shows where the drawn curves cross the line, marked "≈" (an interpolation between the
   * scanned points, not a limit).
   */
  readonly upperLimits?: {
    readonly observed?: number;
    /** Ordered −2σ, −1σ, median, +1σ, +2σ (the median is shown). */
    readonly expected?: ExpectedBand;
  };
}

/** A profile-likelihood scan: Δ(−2 ln L) = 2(NLL(μ) − NLL_min) over μ. */
export interface LikelihoodScanData {
  readonly poiValues: readonly number[];
  /** Δ(−2 ln L) on the observed data. */
  readonly observed: readonly number[];
  /** Δ(−2 ln L) on the pre-fit expected (Asimov) data, optional. */
  readonly expected?: readonly number[];
  /** Best-fit μ̂ on the observed data, marked on the plot when given. */
  readonly muHat?: number;
}

/** One point of a batch grid with its upper limits on μ (the input of the grid plot). */
export interface GridPlotPoint {
  readonly x: number;
  readonly y: number;
  /** Observed upper limit on μ (may be +Infinity, or absent for a failed point). */
  readonly observed?: number;
  /** Expected upper limits ordered −2σ, −1σ, median, +1σ, +2σ. */
  readonly expected?: ExpectedBand;
}

/**
 * A 2-D confidence contour, as the library's `findContour` returns it: the points where the
 * profile NLL equals `threshold`, in the plane of the two named parameters.
 */
export interface ContourResult {
  readonly parameterNames: readonly string[];
  /** Contour points `[x, y]` (for several basins: the points of each basin in turn). */
  readonly points: readonly (readonly number[])[];
  readonly nllMin: number;
  /** NLL on the contour: 2(threshold − nllMin) is the 2ΔNLL of the contour. */
  readonly threshold: number;
  readonly confidenceLevel: number;
  /** Best-fit point, marked when given. */
  readonly thetaMle?: readonly number[];
  /** χ²_k quantile of the confidence level. */
  readonly delta?: number;
  /** Minima the boundary was searched around: each point belongs to the nearest one. */
  readonly basins?: readonly (readonly number[])[];
}

/** Options shared by every plot. */
export interface CommonPlotOptions {
  /**
   * The DOM `Document` that creates the SVG elements: `window.document` in a browser, a
   * server-side implementation (e.g. linkedom) in Node.
   */
  readonly document: Document;
  /** Width in px (default 640). */
  readonly width?: number;
  /** Height in px (default 420). */
  readonly height?: number;
  /** Title drawn above the frame. */
  readonly title?: string;
  /** Prefix of the element ids (default "spey-plot"); make it unique when a page shows several plots. */
  readonly idPrefix?: string;
  /** Background fill (default "white"; "none" for transparent). */
  readonly background?: string;
}

/** The pulls of a fit: one entry per constrained nuisance parameter. */
export interface PullsData {
  readonly parameters: readonly {
    readonly name: string;
    /** (θ̂ − θ₀)/Δθ: the best fit's distance from the nominal value in prior widths. */
    readonly pull: number;
    /** σ̂/Δθ: the post-fit uncertainty in prior widths (null or absent: no bar). */
    readonly uncertainty?: number | null;
  }[];
}
