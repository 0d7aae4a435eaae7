import { InvalidInput } from "./errors.js";

/** spey's snake_case argument name in camelCase (`signal_yields` → `signalYields`). */
export function camelCase(key: string): string {
  return key.replace(/(?<=[A-Za-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Convert spey's snake_case keyword names to camelCase (`signal_yields` → `signalYields`); camelCase
 * names pass unchanged. A name given in both spellings is an error naming both.
 */
export function camelCaseKeys(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    const camel = camelCase(key);
    if (Object.hasOwn(out, camel)) {
      throw new InvalidInput(`argument "${key}" is given twice (also as "${source[camel]}"); keep one.`);
    }
    // defineProperty: a key named "__proto__" stays an ordinary argument instead of a prototype.
    Object.defineProperty(out, camel, { value, enumerable: true, writable: true, configurable: true });
    source[camel] = key;
  }
  return out;
}
