/**
 * Workspace digests, as pyhf computes them for patch sets (`pyhf.utils.digest`): the SHA-256 of
 * `json.dumps(obj, sort_keys=True, ensure_ascii=True, separators=(",", ":"))` in Python.
 *
 * Python keeps the difference between `50` (int) and `50.0` (float) that `JSON.parse` erases, and
 * prints floats with `repr`. {@link pythonJsonDumpsText} therefore re-serialises the original JSON
 * *text* (the exact digest of a file); {@link pythonJsonDumps} serialises a parsed value, printing
 * integral numbers either as Python ints or as Python floats (`numbers` option) — a workspace file
 * written by pyhf uses floats for yields.
 */
import { InvalidInput } from "../../core/errors.js";
import { isArray, isInteger, abs, min, sqrt, isNaNNumber } from "../../core/describe.js";

// -------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), on UTF-8 bytes

/** The first 64 primes (trial division). */
export const SHA256_PRIMES: readonly number[] = [];
for (let n = 2; SHA256_PRIMES.length < 64; n++) {
  if (SHA256_PRIMES.every((p) => n % p !== 0)) (SHA256_PRIMES as number[]).push(n);
}
/** The first 32 bits of the fractional part of x. */
const fraction32 = (x: number) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
// FIPS 180-4 §4.2.2 and §5.3.3 define the constants this way: K from the cube roots of the first 64
// primes, the initial hash from the square roots of the first 8. Computed rather than listed (half a
// kilobyte less in bundles); each lies ≥ 0.005 units of 2⁻³² from a rounding boundary, so a
// last-ulp difference of Math.cbrt / Math.sqrt between engines cannot change a bit (the test checks
// both the values, through the FIPS test vectors, and that margin).
const K = Uint32Array.from(SHA256_PRIMES, (p) => fraction32(Math.cbrt(p)));
const H0 = Uint32Array.from(SHA256_PRIMES.slice(0, 8), (p) => fraction32(sqrt(p)));

/** SHA-256 of a string's UTF-8 encoding, as 64 lower-case hexadecimal digits. */
export function sha256Hex(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const bitLength = bytes.length * 8;
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = Uint32Array.from(H0);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(offset + 4 * t);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15] as number;
      const y = w[t - 2] as number;
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
      w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) >>> 0;
    }
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    let f = h[5] as number;
    let g = h[6] as number;
    let hh = h[7] as number;
    for (let t = 0; t < 64; t++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + (K[t] as number) + (w[t] as number)) >>> 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = ((h[0] as number) + a) >>> 0;
    h[1] = ((h[1] as number) + b) >>> 0;
    h[2] = ((h[2] as number) + c) >>> 0;
    h[3] = ((h[3] as number) + d) >>> 0;
    h[4] = ((h[4] as number) + e) >>> 0;
    h[5] = ((h[5] as number) + f) >>> 0;
    h[6] = ((h[6] as number) + g) >>> 0;
    h[7] = ((h[7] as number) + hh) >>> 0;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
}

// -------------------------------------------------------------------------------------------------
// Python's json.dumps(sort_keys=True, ensure_ascii=True, separators=(",", ":"))

/** Python's `repr(float)`: shortest round-trip digits; scientific below 1e-4 and from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (isNaNNumber(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without digits gives the shortest round-trip mantissa, like Python's repr.
  const [mantissa, exp] = abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const e = Number(exp);
  const decpt = e + 1; // position of the decimal point after the first digit string
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponent = abs(e) < 10 ? `0${abs(e)}` : String(abs(e));
  return `${sign}${m}e${e < 0 ? "-" : "+"}${exponent}`;
}

/** A JSON string literal with Python's `ensure_ascii=True` escaping. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python sorts dict keys by code point; JavaScript's default sort compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0) as number);
  const cb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return (ca[i] as number) - (cb[i] as number);
  }
  return ca.length - cb.length;
}

/**
 * Python's canonical `json.dumps` of a parsed JSON value. `numbers: "float"` prints integral
 * numbers as Python floats (`50.0`), `"int"` as Python ints (`50`); non-integral numbers are floats.
 */
export function pythonJsonDumps(value: unknown, numbers: "float" | "int" = "float"): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    return numbers === "int" && isInteger(value) && abs(value) < 2 ** 53 ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === "string") return pythonJsonString(value);
  if (isArray(value)) return `[${value.map((v) => pythonJsonDumps(v, numbers)).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((k) => `${pythonJsonString(k)}:${pythonJsonDumps((value as Record<string, unknown>)[k], numbers)}`).join(",")}}`;
  }
  throw new InvalidInput(`cannot serialise ${typeof value} as JSON; pass JSON values only.`);
}

/** A parsed JSON value that remembers how each number was written. */
type RawJson =
  | { kind: "literal"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: RawJson[] }
  | { kind: "object"; members: [string, RawJson][] };

function parseRaw(text: string): RawJson {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const error = (what: string): never => {
    throw new SyntaxError(`invalid JSON at offset ${i}: ${what}`);
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) error("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): RawJson => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const members: [string, RawJson][] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { kind: "object", members };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') error("expected a member name");
        const key = str();
        ws();
        if (text[i] !== ":") error('expected ":"');
        i++;
        members.push([key, value()]);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { kind: "object", members };
        }
        error('expected "," or "}"');
      }
    }
    if (c === "[") {
      i++;
      const items: RawJson[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { kind: "array", items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return { kind: "array", items };
        }
        error('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: "string", value: str() };
    const m = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return error("unexpected character");
    i += m[0].length;
    return { kind: "literal", text: m[0] };
  };
  const out = value();
  ws();
  if (i !== text.length) error("trailing characters");
  return out;
}

function dumpRaw(node: RawJson): string {
  switch (node.kind) {
    case "string":
      return pythonJsonString(node.value);
    case "array":
      return `[${node.items.map(dumpRaw).join(",")}]`;
    case "object": {
      // Python's dict keeps the last of duplicate keys.
      const map = new Map<string, RawJson>(node.members);
      const keys = [...map.keys()].sort(compareCodePoints);
      return `{${keys.map((k) => `${pythonJsonString(k)}:${dumpRaw(map.get(k) as RawJson)}`).join(",")}}`;
    }
    case "literal": {
      const t = node.text;
      if (t === "true" || t === "false" || t === "null") return t;
      if (/[.eE]/.test(t)) return pythonFloatRepr(Number(t));
      return BigInt(t).toString(); // Python ints are exact
    }
  }
}

/** Python's canonical `json.dumps` of a JSON text, numbers printed as Python would after `json.loads`. */
export function pythonJsonDumpsText(text: string): string {
  return dumpRaw(parseRaw(text));
}

/** pyhf's sha256 digest of a JSON text (exact). */
export function digestOfJsonText(text: string): string {
  return sha256Hex(pythonJsonDumpsText(text));
}

/**
 * The possible pyhf sha256 digests of a parsed JSON value: integral numbers printed as floats
 * (the usual case for workspaces written by pyhf) and as ints.
 */
export function candidateDigests(value: unknown): string[] {
  const asFloat = sha256Hex(pythonJsonDumps(value, "float"));
  const asInt = sha256Hex(pythonJsonDumps(value, "int"));
  return asFloat === asInt ? [asFloat] : [asFloat, asInt];
}
