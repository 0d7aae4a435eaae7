/**
 * SVG plumbing shared by the plots: standalone-file attributes, a background, a title,
 * deterministic element ids, composition of several SVGs into one, and serialisation.
 * Browser-safe: only the DOM API of the `document` passed in.
 */
import { entriesOf } from "../core/describe.js";

export const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes (values converted with `String`). */
export function svgElement(
  document: Document,
  name: string,
  attributes: Readonly<Record<string, string | number>> = {},
): SVGElement {
  const element = document.createElementNS(SVG_NS, name) as SVGElement;
  for (const [key, value] of entriesOf(attributes)) element.setAttribute(key, String(value));
  return element;
}

/** Options of {@link finalizeSvg}. */
export interface FinalizeOptions {
  readonly document: Document;
  readonly idPrefix?: string | undefined;
  readonly background?: string | undefined;
  readonly title?: string | undefined;
}

/**
 * Make a rendered SVG self-contained and reproducible: `xmlns`, a sans-serif font, an optional
 * background rectangle and title, and element ids renamed `${idPrefix}-1`, `-2`, … in document
 * order (Observable Plot numbers clip paths with a process-wide counter).
 */
export function finalizeSvg(svg: SVGSVGElement | SVGElement, options: FinalizeOptions): SVGSVGElement {
  const root = svg as SVGSVGElement;
  root.setAttribute("xmlns", SVG_NS);
  root.setAttribute("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif");
  const width = Number(root.getAttribute("width"));
  const background = options.background ?? "white";
  if (background !== "none") {
    const rect = svgElement(options.document, "rect", { width: "100%", height: "100%", fill: background });
    insertAfterStyle(root, rect);
  }
  if (options.title) {
    const text = svgElement(options.document, "text", {
      x: width / 2,
      y: 18,
      "text-anchor": "middle",
      "font-size": 14,
      "font-weight": "bold",
      "aria-label": "title",
    });
    text.textContent = options.title;
    root.appendChild(text);
  }
  normalizeIds(root, options.idPrefix ?? "spey-plot");
  return root;
}

function insertAfterStyle(root: Element, child: Element): void {
  const first = root.firstChild;
  if (first && (first as Element).tagName?.toLowerCase() === "style") {
    root.insertBefore(child, first.nextSibling);
  } else {
    root.insertBefore(child, first);
  }
}

/**
 * Rename every `id` in the tree to `${prefix}-${n}` (n = 1, 2, … in document order) and rewrite
 * the references to them (`url(#id)` and `#id` hrefs), so identical inputs give identical SVG.
 */
export function normalizeIds(root: Element, prefix: string): void {
  const elements = [root, ...Array.from(root.querySelectorAll("*"))];
  const renames = new Map<string, string>();
  for (const element of elements) {
    const id = element.getAttribute("id");
    if (id === null) continue;
    const fresh = `${prefix}-${renames.size + 1}`;
    renames.set(id, fresh);
    element.setAttribute("id", fresh);
  }
  if (renames.size === 0) return;
  for (const element of elements) {
    for (const name of element.getAttributeNames()) {
      if (name === "id") continue;
      const value = element.getAttribute(name) ?? "";
      if (!value.includes("#")) continue;
      const replaced = value.replace(/url\(#([^)]+)\)|^#(.+)$/g, (match, inUrl?: string, bare?: string) => {
        const target = renames.get((inUrl ?? bare) as string);
        if (target === undefined) return match;
        return inUrl !== undefined ? `url(#${target})` : `#${target}`;
      });
      if (replaced !== value) element.setAttribute(name, replaced);
    }
  }
}

/** A part of a composed figure: an SVG and where its top-left corner goes. */
export interface Placed {
  readonly svg: SVGSVGElement | SVGElement;
  readonly x: number;
  readonly y: number;
}

/** Nest several SVGs into one new `<svg>` of the given size (nested `<svg x y>` elements). */
export function composeSvg(document: Document, width: number, height: number, parts: readonly Placed[]): SVGSVGElement {
  const root = svgElement(document, "svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "text-anchor": "middle",
    "font-size": 10,
    fill: "currentColor",
  }) as SVGSVGElement;
  for (const part of parts) {
    part.svg.setAttribute("x", String(part.x));
    part.svg.setAttribute("y", String(part.y));
    part.svg.removeAttribute("xmlns");
    root.appendChild(part.svg);
  }
  return root;
}

/** The SVG markup of an element, with a trailing newline (what the `.svg` files contain). */
export function svgToString(svg: Element): string {
  return `${svg.outerHTML}\n`;
}

/** Width of a text in px, estimated without layout (deterministic; ~0.6 em per character). */
export function estimateTextWidth(text: string, fontSize: number): number {
  return Math.ceil([...text].length * fontSize * 0.6);
}
