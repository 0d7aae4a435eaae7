/**
 * Safe descriptions of arbitrary values for error messages. `JSON.stringify` is not safe there: it
 * throws on BigInt and on cycles, overflows the stack on deeply nested input, prints `Infinity` and
 * `NaN` as `null`, and can produce megabytes of text. {@link describeValue} never throws, never
 * recurses more than two levels, and stays short.
 */

const MAX_STRING = 40;
const MAX_ITEMS = 4;
const UNREADABLE = "an unreadable value";

function number(x: number): string {
  if (isNaNNumber(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity (beyond the largest double, ±1.8e308)";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity (beyond the largest double, ±1.8e308)";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

function quote(text: string): string {
  // JSON.stringify of a string cannot throw; it escapes quotes and control characters.
  return JSON.stringify(text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text);
}

function inner(value: unknown, depth: number): string {
  try {
    switch (typeof value) {
      case "number":
        return isFiniteNumber(value) ? String(value) : number(value).split(" ")[0]!;
      case "string":
        return quote(value);
      case "bigint":
        return `${value}n`;
      case "boolean":
        return String(value);
      case "undefined":
        return "undefined";
      case "symbol":
        return "a symbol";
      case "function":
        return "a function";
    }
    if (value === null) return "null";
    if (isArray(value)) {
      if (depth <= 0) return `[…${value.length} items]`;
      const shown = value.slice(0, MAX_ITEMS).map((v) => inner(v, depth - 1));
      return `[${shown.join(", ")}${value.length > MAX_ITEMS ? `, … (${value.length} items)` : ""}]`;
    }
    if (ArrayBuffer.isView(value)) return `a ${value.constructor?.name ?? "typed array"}`;
    const keys = Object.keys(value as object);
    if (depth <= 0 || keys.length === 0) return keys.length === 0 ? "{}" : `{…${keys.length} keys}`;
    const shown = keys
      .slice(0, MAX_ITEMS)
      .map((k) => `${quote(k)}: ${inner((value as Record<string, unknown>)[k], 0)}`);
    return `{${shown.join(", ")}${keys.length > MAX_ITEMS ? ", …" : ""}}`;
  } catch {
    return UNREADABLE;
  }
}

/**
 * A short, human-readable description of any value for an error message: numbers as written
 * (`NaN`, `Infinity (beyond the largest double, ±1.8e308)`, so that a JSON `1e999` is recognisable),
 * strings quoted and cut, BigInts with their `n`, arrays and objects shown two levels deep at most
 * with their sizes. Never throws.
 *
 * @example
 * describeValue(10n);                 // "10n (a BigInt; give a number)"
 * describeValue({ length: 1e10 });    // '{"length": 10000000000}'
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case "number":
        return number(value);
      case "bigint":
        return `${value}n (a BigInt; give a number)`;
      case "string":
        return quote(value);
    }
    if (value !== null && typeof value === "object" && !isArray(value) && !ArrayBuffer.isView(value)) {
      return inner(value, 1);
    }
    return inner(value, 2);
  } catch {
    return UNREADABLE;
  }
}

/**
 * `Number.isFinite` (true only for a number that is neither NaN nor ±Infinity; no coercion) under a
 * name the minifier can shorten: the library calls it ~150 times, and a bundle cannot shorten
 * `Number.isFinite(`.
 */
export const isFiniteNumber: (value: unknown) => boolean = Number.isFinite;

/** `Number.isInteger`, `Array.isArray` and `Object.hasOwn` under names the minifier can shorten (as {@link isFiniteNumber}). */
export const isInteger: (value: unknown) => boolean = Number.isInteger;
export const isArray: typeof Array.isArray = Array.isArray;
export const hasOwn: (object: object, key: PropertyKey) => boolean = Object.hasOwn;

/** `JSON.stringify`, `Object.freeze` and `Object.entries` under names the minifier can shorten (as {@link isFiniteNumber}). */
export const stringify: typeof JSON.stringify = JSON.stringify;
export const freeze: typeof Object.freeze = Object.freeze;
export const entriesOf: typeof Object.entries = Object.entries;

/**
 * `Math.abs`, `Math.max`, `Math.min`, `Math.sqrt`, `Math.exp`, `Math.log` (as `ln`) and `Math.sign`
 * under names the minifier can shorten (as {@link isFiniteNumber}): the same functions, whose calls
 * V8 inlines as before; the library calls them ~600 times.
 */
export const abs: (x: number) => number = Math.abs;
export const max: (...values: number[]) => number = Math.max;
export const min: (...values: number[]) => number = Math.min;
export const sqrt: (x: number) => number = Math.sqrt;
export const exp: (x: number) => number = Math.exp;
export const ln: (x: number) => number = Math.log;
export const sign: (x: number) => number = Math.sign;

/** `Number.isNaN` (no coercion, unlike the global `isNaN`) under a name the minifier can shorten. */
export const isNaNNumber: (value: unknown) => boolean = Number.isNaN;

/**
 * True for a real array or a typed array; other objects with a `length` (`{"length": 1e10}`) are
 * not arrays, whatever their length says.
 */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Nesting beyond which a JSON document is refused: far deeper than any model, workspace or patch. */
export const MAX_JSON_DEPTH = 1000;

/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` levels deep. Iterative:
 * recursive code (copying, serialising, validating) overflows the call stack on such input, so it
 * is refused before it reaches that code.
 */
export function nestedDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return true;
    const children = isArray(v) ? v : Object.values(v as object);
    for (const child of children) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}
