/** One line of a JSON Lines text. */
export interface JsonlLine {
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
  /** Byte offset just after the line's newline (or after its text when unterminated). */
  readonly end: number;
  /** False for a last line without its newline (e.g. cut by a crash). */
  readonly terminated: boolean;
}

/** Split a JSONL text into lines with their numbers and byte offsets (UTF-8). */
export function splitLines(text: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  let offset = 0;
  let start = 0;
  let number = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const terminated = newline !== -1;
    const raw = text.slice(start, terminated ? newline : text.length);
    offset += Buffer.byteLength(raw, "utf8") + (terminated ? 1 : 0);
    number += 1;
    out.push({ line: number, text: raw.endsWith("\r") ? raw.slice(0, -1) : raw, end: offset, terminated });
    start = terminated ? newline + 1 : text.length;
  }
  return out;
}

/** JSON without whitespace; non-finite numbers as the strings "Infinity", "-Infinity", "NaN". */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") : v,
  );
}

/** Parse a line; undefined when it is not valid JSON. */
export function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The reason of a `JSON.parse` error without V8's position and quoted-context suffixes. */
export function jsonSyntaxReason(message: string): string {
  return message.replace(/ in JSON at position \d+.*$/s, "").replace(/, ".*" is not valid JSON$/s, "");
}
