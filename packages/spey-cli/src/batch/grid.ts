import { readFileSync } from "node:fs";
import { describeValue } from "spey";
import { isObject } from "./description.js";
import { BatchInputError, fsErrorReason } from "./errors.js";
import { jsonSyntaxReason, splitLines, tryParse } from "./jsonl.js";

/** One signal point of a grid file. */
export interface GridPoint {
  /** The point's id: the line's `id`, or its line number. */
  readonly id: string | number;
  /** `String(id)`: what identifies the point in results files. */
  readonly key: string;
  /** 1-based line number in the grid file. */
  readonly line: number;
  /** 0-based position among the grid's points (blank lines not counted); used for sharding. */
  readonly index: number;
  /** The parsed line. */
  readonly value: Record<string, unknown>;
}

/** A problem of a grid file, with the line it is on. */
export interface GridProblem {
  readonly line: number;
  readonly message: string;
}

/** Deepest nesting of a grid line: far beyond any model, and bounded so that copying a line to a worker and writing it back never overflows the call stack. */
const MAX_NESTING = 64;

/** The bracket depth of a JSON text (strings skipped), without parsing it. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) {
        i++; // backslash: skip the escaped character
      } else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) deepest = Math.max(deepest, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/**
 * The problems of one parsed grid line (none for a valid signal point): it must be a JSON object
 * whose optional `id` is a string or a finite number and whose optional `meta` is an object, and
 * it must name a `backend` when `requireBackend` is set. `usable` is false when the line cannot
 * even be identified (not an object, or a bad id). The same check is applied to the lines of grid
 * files and to the job payloads a queue worker receives (`spey worker`).
 */
export function gridLineProblems(
  value: unknown,
  options: { requireBackend: boolean },
): { problems: string[]; usable: boolean } {
  if (!isObject(value)) return { problems: ["a grid line must be a JSON object (one signal point)"], usable: false };
  const rawId = value.id;
  if (rawId !== undefined && !(typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId)))) {
    return { problems: [`"id" must be a string or a number; got ${describeValue(rawId)}`], usable: false };
  }
  const problems: string[] = [];
  if (value.meta !== undefined && !isObject(value.meta)) {
    problems.push('"meta" must be an object (free-form data copied to the result)');
  }
  if (options.requireBackend && typeof value.backend !== "string") {
    problems.push('no "backend": give one on every line, or a shared model with --base');
  }
  return { problems, usable: true };
}

/** Parse a grid (JSON Lines, one object per point; blank lines ignored), collecting every problem. */
export function parseGrid(
  text: string,
  options: { requireBackend: boolean },
): { points: GridPoint[]; problems: GridProblem[] } {
  const points: GridPoint[] = [];
  const problems: GridProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, text: raw } of splitLines(text)) {
    if (raw.trim() === "") continue;
    const depth = nestingDepth(raw);
    if (depth > MAX_NESTING) {
      problems.push({ line, message: `nested ${depth} levels deep; a grid line holds at most ${MAX_NESTING}` });
      continue;
    }
    const value = tryParse(raw);
    if (value === undefined) {
      let reason = "";
      try {
        JSON.parse(raw);
      } catch (error) {
        reason = `: ${jsonSyntaxReason((error as Error).message)}`;
      }
      problems.push({ line, message: `not valid JSON${reason}` });
      continue;
    }
    const check = gridLineProblems(value, options);
    for (const message of check.problems) problems.push({ line, message });
    if (!check.usable) continue;
    const rawId = (value as Record<string, unknown>).id as string | number | undefined;
    const id = rawId ?? line;
    const key = String(id);
    const previous = seen.get(key);
    if (previous !== undefined) {
      problems.push({ line, message: `duplicate id ${JSON.stringify(id)} (also on line ${previous})` });
      continue;
    }
    seen.set(key, line);
    points.push({ id, key, line, index: points.length, value: value as Record<string, unknown> });
  }
  if (points.length === 0 && problems.length === 0) problems.push({ line: 0, message: "the grid has no points" });
  return { points, problems };
}

/** Read and parse a grid file; any problem is a {@link BatchInputError} naming the lines. */
export function readGrid(
  path: string,
  options: { requireBackend: boolean },
  content?: string,
): { points: GridPoint[]; text: string } {
  let text: string;
  try {
    text = content ?? readFileSync(path, "utf8");
  } catch (error) {
    throw new BatchInputError(`cannot read the grid ${path}: ${fsErrorReason(error)}.`);
  }
  const { points, problems } = parseGrid(text, options);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  ${path}:${p.line}: ${p.message}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    throw new BatchInputError(`the grid ${path} has ${problems.length} problem(s):\n${[...shown, ...more].join("\n")}`);
  }
  return { points, text };
}
