/**
 * A small semantic-version range matcher for plug-in `speyRequires` fields. Supports exact
 * versions, comparators (>, >=, <, <=, =), caret (^) and tilde (~) ranges, wildcards (x, *),
 * conjunctions separated by spaces or commas and alternatives separated by `||`.
 */
import { InvalidInput } from "../core/errors.js";
import { sign } from "../core/describe.js";

type Triple = [number, number, number];

interface Parsed {
  version: Triple;
  prerelease: string;
}

const VERSION_RE = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parse "1.2.3" / "1.2.3-b3" (throws RangeError on anything else). */
export function parseVersion(text: string): Parsed {
  const m = VERSION_RE.exec(text.trim());
  if (!m || m[2] === undefined || m[3] === undefined || /[x*]/.test(m[2] + m[3])) {
    throw new InvalidInput(`"${text}" is not a semantic version (expected MAJOR.MINOR.PATCH).`);
  }
  return { version: [Number(m[1]), Number(m[2]), Number(m[3])], prerelease: m[4] ?? "" };
}

function compare(a: Parsed, b: Parsed): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.version[i] as number) - (b.version[i] as number);
    if (d !== 0) return sign(d);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

function partial(text: string): { parts: (number | null)[]; prerelease: string } {
  const m = VERSION_RE.exec(text.trim());
  if (!m) throw new InvalidInput(`"${text}" is not a version in a semver range.`);
  const p = (s: string | undefined) => (s === undefined || s === "x" || s === "*" ? null : Number(s));
  return { parts: [p(m[1]), p(m[2]), p(m[3])], prerelease: m[4] ?? "" };
}

function v(major: number, minor: number, patch: number, prerelease = ""): Parsed {
  return { version: [major, minor, patch], prerelease };
}

type Test = (x: Parsed) => boolean;

function comparator(token: string): Test {
  if (token === "*" || token === "x" || token === "") return () => true;
  const m = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(token) as RegExpExecArray;
  const op = m[1] ?? "=";
  const { parts, prerelease } = partial(m[2] as string);
  const [maj, min, pat] = parts as [number | null, number | null, number | null];
  const base = v(maj ?? 0, min ?? 0, pat ?? 0, prerelease);
  if (op === "^") {
    const upper =
      maj !== 0 || maj === null
        ? v((maj ?? 0) + 1, 0, 0)
        : min !== 0 && min !== null
          ? v(0, min + 1, 0)
          : v(0, 0, (pat ?? 0) + 1);
    return (x) => compare(x, base) >= 0 && compare(x, upper) < 0;
  }
  if (op === "~") {
    const upper = min === null ? v((maj ?? 0) + 1, 0, 0) : v(maj ?? 0, min + 1, 0);
    return (x) => compare(x, base) >= 0 && compare(x, upper) < 0;
  }
  if (op === "=" && (maj === null || min === null || pat === null)) {
    const upper = maj === null ? null : min === null ? v(maj + 1, 0, 0) : v(maj, min + 1, 0);
    return (x) => compare(x, base) >= 0 && (upper === null || compare(x, upper) < 0);
  }
  switch (op) {
    case ">=":
      return (x) => compare(x, base) >= 0;
    case ">":
      return (x) => compare(x, base) > 0;
    case "<=":
      return (x) => compare(x, base) <= 0;
    case "<":
      return (x) => compare(x, base) < 0;
    default:
      return (x) => compare(x, base) === 0;
  }
}

/** Whether `version` satisfies `range` (throws RangeError when either cannot be parsed). */
export function satisfies(version: string, range: string): boolean {
  const x = parseVersion(version);
  return range.split("||").some((alternative) => {
    const tokens = alternative
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1")
      .split(/[\s,]+/)
      .filter((t) => t.length > 0);
    const tests = tokens.map(comparator);
    return tests.every((t) => t(x));
  });
}
