import { readFileSync } from "node:fs";
import { InvalidInput } from "spey";
import { jsonSyntaxReason } from "../batch/jsonl.js";
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

/** Read a file, or standard input for "-". */
export function readText(path: string): string {
  try {
    return path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new InputFileError(`cannot read ${path === "-" ? "standard input" : path}: ${reason}.`);
  }
}

/** Parse JSON text; a syntax error names the file, the line and the column. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const offset = jsonErrorOffset(text);
    const where = offset !== undefined && text.trim() !== "" ? ` (${lineColumn(text, offset)})` : "";
    const reason = jsonSyntaxReason(message);
    throw new InputFileError(
      `${source} is not valid JSON${where}: ${text.trim() === "" ? "the file is empty" : reason}.`,
    );
  }
}

/** Read and parse a JSON file ("-" for standard input). */
export function readJson(path: string): unknown {
  return parseJson(readText(path), path === "-" ? "standard input" : path);
}
