import { writeFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { svgToString } from "spey/plots";
import { currentRun } from "./context.js";
import { fsErrorReason, InputFileError } from "./json-input.js";
import { checkStrict } from "./strict.js";

/** A fresh server-side DOM `Document` for the plots. */
export function createDocument(): Document {
  return parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document as unknown as Document;
}

/** Largest PNG written (width × height × scale²): 40 megapixels, about 160 MB of raw pixels. */
const MAX_PNG_PIXELS = 40e6;

/** Rasterise SVG markup to PNG (resvg; DejaVu Sans/system fonts). */
export async function svgToPng(svg: string, scale: number): Promise<Buffer> {
  const tag = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const attribute = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(tag)?.[1] ?? Number.NaN);
  const width = attribute("width");
  const height = attribute("height");
  // Unknown size: refuse rather than let the rasteriser allocate whatever the markup asks for.
  const pixels =
    Number.isFinite(width) && Number.isFinite(height) ? width * height * scale * scale : Number.POSITIVE_INFINITY;
  if (pixels > MAX_PNG_PIXELS) {
    throw new InputFileError(
      Number.isFinite(pixels)
        ? `the PNG would have ${(pixels / 1e6).toFixed(0)} megapixels, more than the ${MAX_PNG_PIXELS / 1e6} allowed; lower --scale, --width or --height.`
        : "the plot has no width and height to rasterise.",
    );
  }
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/**
 * Write a plot to each output: `.svg` files get the SVG markup, `.png` files a raster made from
 * the same SVG; no output means SVG on standard output.
 */
export async function writePlot(svg: Element, outputs: readonly string[], scale: number): Promise<string[]> {
  const markup = svgToString(svg);
  if (outputs.length === 0) {
    checkStrict();
    currentRun().io.stdout.write(markup);
    return [];
  }
  for (const path of outputs) {
    const lower = path.toLowerCase();
    if (!lower.endsWith(".svg") && !lower.endsWith(".png")) {
      throw new InputFileError(`--output ${path}: the file name must end in .svg or .png.`);
    }
  }
  checkStrict();
  for (const path of outputs) {
    const data = path.toLowerCase().endsWith(".png") ? await svgToPng(markup, scale) : markup;
    try {
      writeFileSync(path, data);
    } catch (error) {
      throw new InputFileError(`cannot write ${path}: ${fsErrorReason(error)}.`);
    }
  }
  return [...outputs];
}
