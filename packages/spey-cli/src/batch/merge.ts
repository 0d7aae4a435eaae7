import { renameSync, writeFileSync } from "node:fs";
import { BatchInputError } from "./errors.js";
import { canonicalPath } from "./paths.js";
import { readGrid } from "./grid.js";
import { compactJson } from "./jsonl.js";
import { type ResultsHeader, readResults } from "./results-file.js";
import type { ResultRecord } from "./task.js";

/** Options of {@link mergeResults}. */
export interface MergeOptions {
  readonly inputs: readonly string[];
  readonly output: string;
  /** The grid, to list the missing points by id (otherwise only counted from the headers). */
  readonly gridPath?: string | undefined;
}

/** What a merge found. */
export interface MergeSummary {
  output: string;
  /** Points in the grid. */
  total: number;
  /** Distinct points written. */
  merged: number;
  ok: number;
  failed: number;
  /** Ids missing from every input (all of them when `gridPath` is given, else up to what the headers tell). */
  missing: (string | number)[];
  /** Number of missing points (exact even when the ids are unknown). */
  missingCount: number;
  /** Shards k of N absent from the inputs. */
  missingShards: number[];
  /** Ids with two different successful results. */
  conflicts: (string | number)[];
  /** Repeated lines dropped (same id in several inputs or twice in one). */
  duplicates: number;
  /** Damaged lines skipped (e.g. a torn last line). */
  damagedLines: number;
}

function describeDifference(a: ResultsHeader, b: ResultsHeader): string | undefined {
  if (a.grid.sha256 !== b.grid.sha256) return "they were computed on different grids";
  if (a.base?.sha256 !== b.base?.sha256) return "they use different base models";
  if (JSON.stringify(a.task) !== JSON.stringify(b.task)) return "they were computed with different options";
  return undefined;
}

/**
 * Join results files (shards, or re-runs) into one: one line per point, ordered as in the grid,
 * a successful result preferred over a recorded error; checks that the inputs belong together
 * and counts what is missing. The output is written atomically (temporary file, then rename).
 */
export function mergeResults(options: MergeOptions): MergeSummary {
  if (options.inputs.length === 0) throw new BatchInputError("merge needs at least one results file.");
  const target = canonicalPath(options.output);
  for (const input of [...options.inputs, ...(options.gridPath ? [options.gridPath] : [])]) {
    if (canonicalPath(input) === target) {
      throw new BatchInputError(
        `the merged file ${options.output} is also an input (${input}); merging would overwrite it: choose another --output.`,
      );
    }
  }
  const contents = options.inputs.map((path) => {
    const content = readResults(path);
    if (!content) throw new BatchInputError(`${path} does not exist.`);
    if (!content.header)
      throw new BatchInputError(`${path} is not a spey batch results file (its first line is not a header).`);
    return { path, content, header: content.header };
  });
  const first = contents[0] as (typeof contents)[number];
  for (const other of contents.slice(1)) {
    const difference = describeDifference(first.header, other.header);
    if (difference) throw new BatchInputError(`${first.path} and ${other.path} cannot be merged: ${difference}.`);
  }

  const byKey = new Map<string, ResultRecord>();
  const conflicts: (string | number)[] = [];
  let duplicates = 0;
  let damagedLines = 0;
  for (const { content } of contents) {
    damagedLines += content.invalidLines.length;
    duplicates += content.duplicateLines.length;
    for (const record of content.records) {
      const key = String(record.id);
      const previous = byKey.get(key);
      if (!previous) {
        byKey.set(key, record);
        continue;
      }
      duplicates += 1;
      if (previous.status === "error" && record.status === "ok") byKey.set(key, record);
      else if (previous.status === "ok" && record.status === "ok" && compactJson(previous) !== compactJson(record)) {
        conflicts.push(record.id);
      }
    }
  }

  const total = first.header.grid.points;
  const counts = [...new Set(contents.map((c) => c.header.shard?.count ?? 1))];
  const wholeGrid = contents.some((c) => c.header.shard === null);
  const shardCount = counts.length === 1 ? (counts[0] as number) : 0;
  const present = new Set(contents.map((c) => c.header.shard?.index ?? 0));
  const missingShards =
    wholeGrid || shardCount === 0
      ? []
      : Array.from({ length: shardCount }, (_, i) => i + 1).filter((k) => !present.has(k));

  let order: string[];
  let missing: (string | number)[] = [];
  if (options.gridPath) {
    const grid = readGrid(options.gridPath, { requireBackend: false });
    const keys = new Set(grid.points.map((p) => p.key));
    const unknown = [...byKey.keys()].filter((k) => !keys.has(k));
    if (grid.points.length !== total || unknown.length > 0) {
      throw new BatchInputError(`${options.gridPath} is not the grid these results were computed on.`);
    }
    order = grid.points.map((p) => p.key).filter((k) => byKey.has(k));
    missing = grid.points.filter((p) => !byKey.has(p.key)).map((p) => p.id);
  } else {
    order = [...byKey.values()].sort((a, b) => a.line - b.line).map((r) => String(r.id));
  }
  const records = order.map((k) => byKey.get(k) as ResultRecord);
  const header: ResultsHeader = { ...first.header, shard: null };
  const temporary = `${options.output}.tmp-${process.pid}`;
  writeFileSync(temporary, [header, ...records].map((r) => `${compactJson(r)}\n`).join(""));
  renameSync(temporary, options.output);
  return {
    output: options.output,
    total,
    merged: records.length,
    ok: records.filter((r) => r.status === "ok").length,
    failed: records.filter((r) => r.status === "error").length,
    missing,
    missingCount: total - records.length,
    missingShards,
    conflicts,
    duplicates,
    damagedLines,
  };
}
