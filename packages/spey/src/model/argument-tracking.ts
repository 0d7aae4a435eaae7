/**
 * Arguments a backend never reads. A backend receives its arguments through a proxy that records
 * every key it looks up; the keys it never looked at are reported (spey raises a TypeError for an
 * unknown keyword; here it is a warning with code "unused-argument", which the command line's
 * `--strict` turns into an error).
 */
import { logWarning } from "../core/logger.js";
import { hasOwn, max, min } from "../core/describe.js";

/**
 * The arguments object seen through a proxy that records every key the backend reads (present or
 * not). Enumerating the keys (`{...args}`, `Object.keys`) counts as reading all of them.
 */
export function trackReads(args: Record<string, unknown>): { tracked: Record<string, unknown>; read: Set<string> } {
  const read = new Set<string>();
  const all = () => {
    for (const key of Object.keys(args)) read.add(key);
  };
  const tracked = new Proxy(args, {
    get(target, key, receiver) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      all();
      return Reflect.ownKeys(target);
    },
  });
  return { tracked, read };
}

/** Edit distance of two short names (for "did you mean"). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * Warn (code "unused-argument") about every argument the backend never read: a misspelled optional
 * argument would otherwise be dropped silently. The suggestion is the closest name the backend
 * looked for and did not find.
 */
export function warnUnused(name: string, args: Record<string, unknown>, read: Set<string>): void {
  const given = Object.keys(args);
  const looked = [...read].filter((k) => !hasOwn(args, k) && /^[A-Za-z][A-Za-z0-9]*$/.test(k));
  for (const key of given) {
    if (read.has(key)) continue;
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const candidate of looked) {
      const d = editDistance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    const hint =
      best !== undefined && bestDistance <= max(2, Math.floor(key.length / 3)) ? ` Did you mean "${best}"?` : "";
    logWarning(`argument "${key}" is not used by backend ${name}; it is ignored.${hint}`, "unused-argument");
  }
}
