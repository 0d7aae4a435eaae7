import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { nestedDeeperThan } from "spey";
import { isObject } from "./description.js";
import { BatchInputError, fsErrorReason } from "./errors.js";
import { compactJson, splitLines, tryParse } from "./jsonl.js";
import type { BatchTask, ResultRecord } from "./task.js";

/** The `format` of a results header line. */
export const RESULTS_FORMAT = "spey-batch-results";

/** First line of a results file: what was computed, on which grid, which shard. */
export interface ResultsHeader {
  format: typeof RESULTS_FORMAT;
  version: 1;
  /** spey version that started the file. */
  spey: string;
  grid: { file: string; sha256: string; points: number };
  base: { file: string; sha256: string } | null;
  /** The shard, or null for the whole grid (and for merged files). */
  shard: { index: number; count: number; points: number } | null;
  task: BatchTask;
}

/** A results file as read back. */
export interface ResultsContent {
  header: ResultsHeader | undefined;
  /** Valid result lines, first occurrence of each id, in file order. */
  records: ResultRecord[];
  /** Line numbers that are not valid JSON result lines (a torn last line included). */
  invalidLines: number[];
  /** Lines repeating an id already present. */
  duplicateLines: number[];
  /** True when the last line has no newline (cut by a kill). */
  tornTail: boolean;
  /** Byte length of the intact prefix (everything up to the last newline). */
  intactBytes: number;
}

function isRecord(value: unknown): value is ResultRecord {
  return (
    isObject(value) &&
    (typeof value.id === "string" || typeof value.id === "number") &&
    typeof value.line === "number" &&
    (value.status === "ok" || value.status === "error")
  );
}

const isCount = (x: unknown): boolean => typeof x === "number" && Number.isInteger(x) && x >= 0;

/** A header line: the format tag and a well-formed grid, base, shard and task (a damaged one is not a header). */
function isHeader(value: unknown): value is ResultsHeader {
  if (!isObject(value) || value.format !== RESULTS_FORMAT || value.version !== 1) return false;
  const { grid, base, shard, task } = value;
  const gridOk =
    isObject(grid) && typeof grid.file === "string" && typeof grid.sha256 === "string" && isCount(grid.points);
  const baseOk = base === null || (isObject(base) && typeof base.file === "string" && typeof base.sha256 === "string");
  const shardOk =
    shard === null ||
    (isObject(shard) &&
      isCount(shard.index) &&
      isCount(shard.count) &&
      isCount(shard.points) &&
      (shard.index as number) >= 1 &&
      (shard.index as number) <= (shard.count as number));
  return gridOk && baseOk && shardOk && isObject(task);
}

/** Parse a results file's text. */
export function parseResults(text: string): ResultsContent {
  const out: ResultsContent = {
    header: undefined,
    records: [],
    invalidLines: [],
    duplicateLines: [],
    tornTail: false,
    intactBytes: 0,
  };
  const seen = new Set<string>();
  for (const line of splitLines(text)) {
    if (!line.terminated) {
      out.tornTail = true;
      out.invalidLines.push(line.line);
      break;
    }
    out.intactBytes = line.end;
    if (line.text.trim() === "") continue;
    // A line nested deeper than any result is damage (and could not be written back).
    const parsed = tryParse(line.text);
    const value = nestedDeeperThan(parsed, 64) ? undefined : parsed;
    if (line.line === 1 && isHeader(value)) {
      out.header = value;
    } else if (isRecord(value)) {
      const key = String(value.id);
      if (seen.has(key)) out.duplicateLines.push(line.line);
      else {
        seen.add(key);
        out.records.push(value);
      }
    } else {
      out.invalidLines.push(line.line);
    }
  }
  return out;
}

/** Read a results file; undefined when it does not exist. */
export function readResults(path: string): ResultsContent | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BatchInputError(`cannot read the results file ${path}: ${fsErrorReason(error)}.`);
  }
  return parseResults(text);
}

/**
 * Make an existing results file clean for appending: a torn last line is cut off; when other
 * lines are damaged or duplicated, or `drop` removes records, the file is rewritten (to a
 * temporary file, then renamed over it) with the header and the kept records only.
 */
export function repairResults(
  path: string,
  content: ResultsContent,
  drop: (record: ResultRecord) => boolean = () => false,
): ResultRecord[] {
  const kept = content.records.filter((r) => !drop(r));
  const damagedInside = content.invalidLines.length - (content.tornTail ? 1 : 0) > 0;
  if (!damagedInside && content.duplicateLines.length === 0 && kept.length === content.records.length) {
    if (content.tornTail) truncateSync(path, content.intactBytes);
    return kept;
  }
  const lines = [...(content.header ? [compactJson(content.header)] : []), ...kept.map((r) => compactJson(r))];
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, lines.map((l) => `${l}\n`).join(""));
  renameSync(temporary, path);
  return kept;
}

/**
 * Appends results lines to a file, one `write` per line straight to the kernel (no user-space
 * buffer), so a killed process leaves at most a torn last line.
 */
export class ResultsWriter {
  private fd: number | undefined;

  constructor(path: string) {
    try {
      this.fd = openSync(path, "a");
    } catch (error) {
      throw new BatchInputError(`cannot open the results file ${path} for writing: ${(error as Error).message}`);
    }
  }

  /** Append one JSON line. */
  write(value: unknown): void {
    if (this.fd === undefined) throw new Error("ResultsWriter: the file is closed.");
    writeSync(this.fd, `${compactJson(value)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
