import { writeFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { svgToString } from "spey/plots";
import { InputFileError } from "./json-input.js";

/** A fresh server-side DOM `Document` for the plots. */
export function createDocument(): Document {
  return parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document as unknown as Document;
}

/** Rasterise SVG markup to PNG (resvg; DejaVu Sans/system fonts). */
export async function svgToPng(svg: string, scale: number): Promise<Buffer> {
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
    process.stdout.write(markup);
    return [];
  }
  for (const path of outputs) {
    const lower = path.toLowerCase();
    if (!lower.endsWith(".svg") && !lower.endsWith(".png")) {
      throw new InputFileError(`--output ${path}: the file name must end in .svg or .png.`);
    }
  }
  for (const path of outputs) {
    const data = path.toLowerCase().endsWith(".png") ? await svgToPng(markup, scale) : markup;
    try {
      writeFileSync(path, data);
    } catch (error) {
      throw new InputFileError(`cannot write ${path}: ${(error as Error).message}`);
    }
  }
  return [...outputs];
}
