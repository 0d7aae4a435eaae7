/**
 * JSON Pointer (RFC 6901) and JSON Patch (RFC 6902), as pyhf uses them for signal patches and
 * patch sets (pyhf docs, "Patches and patch sets"; https://datatracker.ietf.org/doc/html/rfc6902).
 *
 * {@link applyJsonPatch} never mutates its input: the document is deep-copied once and the
 * operations are applied to the copy in order; if any operation fails (including a failed `test`)
 * nothing is returned, so a patch is applied atomically.
 */
import { JsonPatchError } from "./errors.js";
import { describeValue, MAX_JSON_DEPTH, nestedDeeperThan, hasOwn, isArray, entriesOf } from "../../core/describe.js";

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One operation of a JSON Patch. */
export type JsonPatchOperation =
  | { readonly op: "add" | "replace" | "test"; readonly path: string; readonly value: JsonValue }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "move" | "copy"; readonly from: string; readonly path: string };

/** A JSON Patch document: a list of operations. */
export type JsonPatch = readonly JsonPatchOperation[];

const OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;

/** Split a JSON Pointer into its unescaped reference tokens (`~1` → `/`, `~0` → `~`). */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new JsonPatchError(-1, `"${pointer}" is not a JSON Pointer: it must be empty or start with "/"`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~[^01]|~$/.test(token))
        throw new JsonPatchError(-1, `"${pointer}" has an invalid escape in "${token}" (only ~0 and ~1)`);
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

/** Escape a key for use as a JSON Pointer token. */
export function escapeJsonPointerToken(token: string | number): string {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Build a JSON Pointer from tokens. */
export function toJsonPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapeJsonPointerToken(t)}`).join("");
}

/** Deep copy of JSON data (plain objects, arrays, primitives). */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (isArray(value)) return value.map((v) => cloneJson(v)) as T;
  const out: Record<string, unknown> = {};
  // defineProperty: a member named "__proto__" stays a member instead of replacing the prototype.
  for (const [k, v] of entriesOf(value as Record<string, unknown>)) {
    Object.defineProperty(out, k, { value: cloneJson(v), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/** Structural equality of JSON values (object key order does not matter), as RFC 6902 `test`. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (isArray(a) !== isArray(b)) return false;
  if (isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * Check that `patch` is a JSON Patch document: an array of operations, each with a known `op`, a
 * string `path` and the members its operation needs. `label` names the patch in messages.
 */
export function validateJsonPatch(patch: unknown, label = "patch"): JsonPatch {
  if (nestedDeeperThan(patch)) {
    throw new JsonPatchError(-1, `${label}: nested more than ${MAX_JSON_DEPTH} levels deep; a JSON Patch never is.`);
  }
  if (!isArray(patch)) {
    throw new JsonPatchError(-1, `${label}: a JSON Patch must be an array of operations; got ${describeType(patch)}.`);
  }
  patch.forEach((op: unknown, i) => {
    const where = `${label}[${i}]`;
    if (typeof op !== "object" || op === null || isArray(op)) {
      throw new JsonPatchError(i, `${where}: an operation must be an object {op, path, ...}; got ${describeType(op)}.`);
    }
    const o = op as Record<string, unknown>;
    if (typeof o.op !== "string" || !(OPS as readonly string[]).includes(o.op)) {
      throw new JsonPatchError(i, `${where}.op: expected one of ${OPS.join(", ")}; got ${describeValue(o.op)}.`);
    }
    if (typeof o.path !== "string") {
      throw new JsonPatchError(i, `${where}.path: expected a JSON Pointer string; got ${describeType(o.path)}.`);
    }
    try {
      parseJsonPointer(o.path);
    } catch (error) {
      throw new JsonPatchError(i, `${where}.path: ${(error as Error).message}.`);
    }
    if ((o.op === "add" || o.op === "replace" || o.op === "test") && !hasOwn(o, "value")) {
      throw new JsonPatchError(i, `${where}: operation "${o.op}" needs a "value".`);
    }
    if (o.op === "move" || o.op === "copy") {
      if (typeof o.from !== "string") {
        throw new JsonPatchError(i, `${where}.from: operation "${o.op}" needs a "from" JSON Pointer string.`);
      }
      try {
        parseJsonPointer(o.from);
      } catch (error) {
        throw new JsonPatchError(i, `${where}.from: ${(error as Error).message}.`);
      }
    }
  });
  return patch as JsonPatch;
}

type Container = JsonValue[] | { [key: string]: JsonValue };

/** Why one operation cannot be applied (wrapped into a {@link JsonPatchError} naming the operation). */
class Failure extends Error {}

/** Resolve the parent of the location `tokens` points to; throws a {@link Failure} when it does not exist. */
function parentOf(doc: JsonValue, tokens: string[], pointer: string): { parent: Container; key: string } {
  let node: JsonValue = doc;
  for (let k = 0; k < tokens.length - 1; k++) {
    const token = tokens[k] as string;
    const next = child(node, token, pointer, tokens.slice(0, k + 1));
    node = next;
  }
  if (node === null || typeof node !== "object") {
    throw new Failure(
      `${tokens.length > 1 ? toJsonPointer(tokens.slice(0, -1)) : "the document"} is ${describeType(node)}, not an object or array, so "${pointer}" cannot be reached`,
    );
  }
  return { parent: node, key: tokens[tokens.length - 1] as string };
}

function arrayIndex(token: string, length: number, allowEnd: boolean, where: string): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Failure(`"${token}" is not an array index in ${where}`);
  const idx = Number(token);
  if (idx > length || (!allowEnd && idx === length)) {
    throw new Failure(
      `index ${idx} is out of range in ${where}, which has ${length} entr${length === 1 ? "y" : "ies"}`,
    );
  }
  return idx;
}

function child(node: JsonValue, token: string, pointer: string, prefix: string[]): JsonValue {
  const where = prefix.length > 1 ? toJsonPointer(prefix.slice(0, -1)) : "the document";
  if (isArray(node)) return node[arrayIndex(token, node.length, false, where)] as JsonValue;
  if (node !== null && typeof node === "object") {
    if (!hasOwn(node, token)) throw new Failure(`${where} has no member "${token}" (while resolving "${pointer}")`);
    return node[token] as JsonValue;
  }
  throw new Failure(`${where} is ${describeType(node)}, so "${pointer}" cannot be resolved`);
}

function getAt(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parseJsonPointer(pointer);
  let node = doc;
  for (let k = 0; k < tokens.length; k++) node = child(node, tokens[k] as string, pointer, tokens.slice(0, k + 1));
  return node;
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (isArray(parent)) {
    const idx = arrayIndex(key, parent.length, true, toJsonPointer(tokens.slice(0, -1)) || "the document");
    parent.splice(idx, 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function removeAt(doc: JsonValue, pointer: string): { doc: JsonValue; removed: JsonValue } {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return { doc: null, removed: doc };
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (isArray(parent)) {
    const idx = arrayIndex(key, parent.length, false, toJsonPointer(tokens.slice(0, -1)) || "the document");
    const [removed] = parent.splice(idx, 1);
    return { doc, removed: removed as JsonValue };
  }
  if (!hasOwn(parent, key)) throw new Failure(`there is nothing to remove at "${pointer}"`);
  const removed = parent[key] as JsonValue;
  delete parent[key];
  return { doc, removed };
}

function replaceAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parseJsonPointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (isArray(parent)) {
    parent[arrayIndex(key, parent.length, false, toJsonPointer(tokens.slice(0, -1)) || "the document")] = value;
  } else {
    if (!hasOwn(parent, key)) throw new Failure(`there is nothing to replace at "${pointer}"`);
    parent[key] = value;
  }
  return doc;
}

/**
 * Apply a JSON Patch (RFC 6902 §4: add, remove, replace, move, copy, test) to a copy of `document`
 * and return the copy. Errors name the operation (`patch[2] (add /channels/7/samples/0): …`).
 */
export function applyJsonPatch<T = JsonValue>(document: unknown, patch: unknown, label = "patch"): T {
  const ops = validateJsonPatch(patch, label);
  let doc = cloneJson(document) as JsonValue;
  ops.forEach((op, i) => {
    const where = `${label}[${i}] (${op.op} ${op.path})`;
    try {
      switch (op.op) {
        case "add":
          doc = addAt(doc, op.path, cloneJson(op.value));
          break;
        case "remove":
          doc = removeAt(doc, op.path).doc;
          break;
        case "replace":
          doc = replaceAt(doc, op.path, cloneJson(op.value));
          break;
        case "move": {
          if (op.path !== op.from && op.path.startsWith(`${op.from}/`)) {
            throw new Failure(`cannot move "${op.from}" into its own child "${op.path}"`);
          }
          if (op.path === op.from) break;
          const { doc: after, removed } = removeAt(doc, op.from);
          doc = addAt(after, op.path, removed);
          break;
        }
        case "copy":
          doc = addAt(doc, op.path, cloneJson(getAt(doc, op.from)));
          break;
        case "test": {
          const actual = getAt(doc, op.path);
          if (!jsonEqual(actual, op.value)) {
            throw new Failure(
              `test failed: the value at "${op.path}" is ${describeValue(actual)}, not ${describeValue(op.value)}`,
            );
          }
          break;
        }
      }
    } catch (error) {
      throw new JsonPatchError(i, `${where}: ${error instanceof Error ? error.message : String(error)}.`);
    }
  });
  return doc as T;
}
