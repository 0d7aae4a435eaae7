/**
 * PNG from an SVG plot in a browser: the SVG text is drawn onto a canvas (through an `<img>` of a
 * Blob URL — no network, no eval) and encoded by `canvas.toBlob`. The same SVG the page shows (or
 * exports as SVG) becomes the PNG, so both exports agree. Browser-only (needs `document`, `Image`,
 * `URL.createObjectURL`); Node renders PNGs with resvg in the CLI instead.
 */
import { InvalidInput } from "../core/errors.js";

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Pixels per SVG unit (default 2: sharp on high-density screens). */
  readonly scale?: number;
  /** Fill behind the plot (default "white"; "transparent" keeps the alpha channel). */
  readonly background?: string;
}

function svgText(svg: SVGSVGElement | string): string {
  if (typeof svg === "string") return svg;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  if (!copy.getAttribute("xmlns")) copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return new XMLSerializer().serializeToString(copy);
}

function sizeOf(text: string): { width: number; height: number } {
  const tag = /<svg\b[^>]*>/.exec(text)?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`\\s${name}="([0-9.]+)`).exec(tag)?.[1]);
  let width = attr("width");
  let height = attr("height");
  if (!(width > 0 && height > 0)) {
    const box = /viewBox="[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)[ ,]+([0-9.]+)"/.exec(tag);
    width = Number(box?.[1]);
    height = Number(box?.[2]);
  }
  if (!(width > 0 && height > 0)) {
    throw new InvalidInput("svgToPng: the SVG has no width/height or viewBox; give the plot a size.");
  }
  return { width, height };
}

/** Render an SVG element or SVG text to a PNG Blob (see the module comment). */
export async function svgToPng(svg: SVGSVGElement | string, options: SvgToPngOptions = {}): Promise<Blob> {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) throw new InvalidInput(`svgToPng: scale must be > 0; got ${scale}.`);
  const text = svgText(svg);
  const { width, height } = sizeOf(text);
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.decoding = "sync";
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new InvalidInput("svgToPng: the browser could not draw the SVG."));
      image.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext("2d");
    if (!context) throw new InvalidInput("svgToPng: no 2-D canvas context in this browser.");
    const background = options.background ?? "white";
    if (background !== "transparent") {
      context.fillStyle = background;
      context.fillRect(0, 0, canvas.width, canvas.height);
    }
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new InvalidInput("svgToPng: PNG encoding failed."))),
        "image/png",
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
