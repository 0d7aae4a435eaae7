import { readFileSync } from "node:fs";
import { InvalidInput, MAX_JSON_DEPTH, nestedDeeperThan } from "spey";
import { jsonSyntaxReason } from "../batch/jsonl.js";
import { fsErrorReason } from "../batch/errors.js";
import { currentRun } from "./context.js";

export { fsErrorReason } from "../batch/errors.js";
import { jsonErrorOffset } from "./json-locate.js";

/** Anything wrong with the user's input files (CLI exit code 2). */
export class InputFileError extends InvalidInput {
  override name = "InputFileError";
}

/** "line L, column C" of a character offset in a text. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** The name of an input in messages: the path, or "standard input" for "-". */
export function sourceName(path: string): string {
  return path === "-" ? "standard input" : path;
}

/** Read a file's bytes, or standard input's for "-". */
export function readBytes(path: string): Buffer {
  try {
    return path === "-" ? currentRun().io.stdin() : readFileSync(path);
  } catch (error) {
    throw new InputFileError(`cannot read ${sourceName(path)}: ${fsErrorReason(error)}.`);
  }
}

/** Read a file as UTF-8 text, or standard input for "-". */
export function readText(path: string): string {
  return readBytes(path).toString("utf8");
}

/** Parse JSON text; a syntax error names the file, the line and the column. */
export function parseJson(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    let offset: number | undefined;
    try {
      offset = jsonErrorOffset(text);
    } catch {
      offset = undefined; // nested too deeply for the locating scanner: no position then
    }
    const where = offset !== undefined && text.trim() !== "" ? ` (${lineColumn(text, offset)})` : "";
    const reason = jsonSyntaxReason(message);
    throw new InputFileError(
      `${source} is not valid JSON${where}: ${text.trim() === "" ? "the file is empty" : reason}.`,
    );
  }
  if (nestedDeeperThan(value)) {
    throw new InputFileError(
      `${source} is nested more than ${MAX_JSON_DEPTH} levels deep; no model, workspace or patch is.`,
    );
  }
  return value;
}

/** Read and parse a JSON file ("-" for standard input). */
export function readJson(path: string): unknown {
  return parseJson(readText(path), sourceName(path));
}

/** A JSON input: its exact text (for digests) and its value. */
export interface JsonInput {
  readonly path: string;
  readonly source: string;
  readonly text: string;
  readonly value: unknown;
}

/** Read a JSON file ("-" for standard input), keeping its original text. */
export function readJsonInput(path: string): JsonInput {
  const text = readText(path);
  return { path, source: sourceName(path), text, value: parseJson(text, sourceName(path)) };
}
