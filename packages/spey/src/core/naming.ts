import { InvalidInput } from "./errors.js";
import { hasOwn } from "../core/describe.js";
import { entriesOf } from "./describe.js";

/** spey's snake_case argument name in camelCase (`signal_yields` → `signalYields`). */
export function camelCase(key: string): string {
  // Most names are already camelCase: no pattern match for them (validate and batch convert every grid line).
  if (!key.includes("_")) return key;
  return key.replace(/(?<=[A-Za-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Convert spey's snake_case keyword names to camelCase (`signal_yields` → `signalYields`); camelCase
 * names pass unchanged. A name given in both spellings is an error naming both.
 */
export function camelCaseKeys(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entriesOf(args)) {
    const camel = camelCase(key);
    if (hasOwn(out, camel)) {
      const first = Object.keys(args).find((k) => camelCase(k) === camel);
      throw new InvalidInput(`argument "${key}" is given twice (also as "${first}"); keep one.`);
    }
    // defineProperty: a key named "__proto__" stays an ordinary argument instead of a prototype
    // (any other name is assigned: the same own, enumerable, writable property, without turning
    // the object into a slow dictionary).
    if (camel === "__proto__") {
      Object.defineProperty(out, camel, { value, enumerable: true, writable: true, configurable: true });
    } else out[camel] = value;
  }
  return out;
}
