import { checkStrict } from "./strict.js";
import { currentRun } from "./context.js";

/** Labels of the five expected values, in the library's order (−2σ first). */
export const BAND_LABELS = ["−2σ", "−1σ", "median", "+1σ", "+2σ"] as const;

const NUMERIC = /^(-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?|-?inf|nan)$/i;

/**
 * Plain-text tables for the terminal: the first column and text columns left-aligned, columns
 * of numbers right-aligned.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => {
    let width = [...h].length;
    for (const r of rows) width = Math.max(width, [...(r[j] ?? "")].length);
    return width;
  });
  const numeric = header.map((_, j) => j > 0 && rows.every((r) => (r[j] ?? "") === "" || NUMERIC.test(r[j] ?? "")));
  const pad = (text: string, width: number, left: boolean) => {
    const fill = " ".repeat(Math.max(0, width - [...text].length));
    return left ? text + fill : fill + text;
  };
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => pad(c, widths[j] as number, !numeric[j]))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A number with 6 significant digits (exponent notation below 10⁻³); ∞ spelled out. */
export function fmt(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (Number.isNaN(x)) return "nan";
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(5).replace(/\.?0+e/, "e");
  return Number(x.toPrecision(6)).toString();
}

/** JSON (indented) with non-finite numbers as the strings "Infinity", "-Infinity", "NaN". */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v,
    2,
  );
}

/** Write text to standard output, with a final newline (after the `--strict` check). */
export function print(text: string): void {
  checkStrict();
  currentRun().io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Write a value as JSON to standard output (the `--json` output of every command). */
export function printJson(value: unknown): void {
  print(toJson(value));
}
