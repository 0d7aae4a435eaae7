import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random, Workspace } from "spey";
import { hepdataAnalysis } from "../../../../bench/hepdata-analysis.js";
import { ROOT } from "../cli/helpers.js";

/** A parsed results file: the header and the result lines. */
export interface ParsedResults {
  header: Record<string, unknown> | undefined;
  records: Record<string, unknown>[];
  /** The raw text of each result line, by id (for exact comparisons). */
  lines: Map<string, string>;
  /** Ids in file order, repeats included. */
  ids: string[];
}

/** Read a results file strictly: every line must be complete JSON. */
export function readResultsStrict(path: string): ParsedResults {
  const text = readFileSync(path, "utf8");
  if (text.length > 0 && !text.endsWith("\n")) throw new Error(`${path} ends with a torn line`);
  const out: ParsedResults = { header: undefined, records: [], lines: new Map(), ids: [] };
  text
    .split("\n")
    .filter((l) => l !== "")
    .forEach((line, i) => {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (i === 0 && value.format === "spey-batch-results") {
        out.header = value;
        return;
      }
      out.records.push(value);
      out.ids.push(String(value.id));
      out.lines.set(String(value.id), line);
    });
  return out;
}

/** Number of complete (newline-terminated) result lines so far (0 when there is no file yet). */
export function countResultLines(path: string): number {
  if (!existsSync(path)) return 0;
  const complete = readFileSync(path, "utf8").split("\n").slice(0, -1);
  return complete.filter((l) => l.startsWith('{"id"')).length;
}

/**
 * A grid over the CMS 8-bin example (a model that takes tens of ms per point, so a run can be
 * killed mid-way): the signal scaled from 0.3 to 1.5, plus one invalid point that must be
 * recorded as an error.
 */
export function writeCmsGrid(dir: string, points: number): { grid: string; ids: string[] } {
  const cms = JSON.parse(readFileSync(join(ROOT, "examples/cms-8bin.json"), "utf8")) as { signalYields: number[] };
  const lines: string[] = [];
  const ids: string[] = [];
  for (let k = 0; k < points - 1; k++) {
    const scale = Number((0.3 + (1.2 * k) / (points - 2)).toFixed(6));
    const id = `p${String(k).padStart(2, "0")}`;
    ids.push(id);
    lines.push(
      JSON.stringify({
        id,
        meta: { scale },
        signalYields: cms.signalYields.map((s) => Number((s * scale).toFixed(6))),
      }),
    );
  }
  lines.splice(7, 0, JSON.stringify({ id: "bad", meta: { scale: 0 }, signalYields: [1, 2] }));
  ids.splice(7, 0, "bad");
  const grid = join(dir, "grid.jsonl");
  writeFileSync(grid, `${lines.join("\n")}\n`);
  return { grid, ids };
}

/**
 * The small HEPData-style analysis of the --warm-start tests (batch and queue): 9 signal points on a
 * 3 × 3 mass grid of a 26-parameter analysis (3 regions × 3 bins), seeded.
 */
export function warmStartAnalysis(): ReturnType<typeof hepdataAnalysis> {
  return hepdataAnalysis(new Random(7), {
    regions: 3,
    bins: 3,
    systematics: 8,
    masses: [300, 400, 500],
    lspMasses: [0, 100, 200],
    digest: (w) => new Workspace(w, { sourceText: JSON.stringify(w) }).possibleDigests()[0] as string,
  });
}
