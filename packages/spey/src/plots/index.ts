/**
 * Plots of spey results, as SVG elements of a caller-supplied DOM `document`: the same code
 * renders in a browser (`window.document`) and in Node (a server-side DOM such as linkedom).
 * No Node built-ins are imported here.
 */
export { brazilBandPlot } from "./brazil.js";
export type { BrazilBandOptions } from "./brazil.js";
export { likelihoodScanPlot } from "./likelihood-scan.js";
export type { LikelihoodScanOptions } from "./likelihood-scan.js";
export { upperLimitGridPlot } from "./upper-limit-grid.js";
export type { UpperLimitGridOptions } from "./upper-limit-grid.js";
export { contourPlot } from "./contour.js";
export { pullsPlot } from "./pulls.js";
export type { PullsPlotOptions } from "./pulls.js";
export type { ContourPlotOptions } from "./contour.js";
export { isolines } from "./isolines.js";
export type { Sample, XY } from "./isolines.js";
export { firstCrossing } from "./crossing.js";
export { svgToString, normalizeIds } from "./svg.js";
export { brazilBandData, likelihoodScanData, muGrid, suggestMuRange } from "./scan-data.js";
export type { ScanModel, ScanOptions } from "./scan-data.js";
export { EXPECTED_BAND_NAMES } from "./types.js";
export type {
  BrazilBandData,
  CommonPlotOptions,
  ContourResult,
  ExpectedBand,
  GridPlotPoint,
  LikelihoodScanData,
  PullsData,
} from "./types.js";
export { svgToPng } from "./png.js";
export type { SvgToPngOptions } from "./png.js";
export { exclusionPlot } from "./exclusion.js";
export type { ExclusionPlotOptions, ExclusionPoint } from "./exclusion.js";
