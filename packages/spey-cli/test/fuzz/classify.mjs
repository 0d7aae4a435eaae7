// How a fuzz run ended: ok, a typed error, an untyped error (a bug), or a bad result.
import { CommanderError } from "commander";
import { SpeyError } from "spey";

export function describeFailure(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return String(error).slice(0, 500);
}

function isTyped(error) {
  return error instanceof SpeyError || error instanceof CommanderError;
}

/** Commands whose output is numbers (a NaN there is a bad result). */
const NUMERIC = ["cls", "limit", "significance", "fit", "scan", "batch", "merge", "status", "collect", "worker"];

/**
 * NaN or undefined in a command's output: in the numbers of the numeric commands (JSON, tables),
 * and in the geometry of plots (path data, coordinates, sizes). Documents that echo the user's
 * strings (patch sets, workspaces, names) may contain the word "NaN" legitimately.
 */
function badOutput(argv, text) {
  if (NUMERIC.includes(argv[0])) {
    if (/"NaN"|\bNaN\b|\bundefined\b/.test(text)) return "NaN or undefined in the output";
    if (/(^|\s)nan(\s|$)/m.test(text)) return "nan in a table";
  }
  if (/\s(d|x|y|x1|x2|y1|y2|cx|cy|r|width|height|transform|points)="[^"]*(NaN|undefined|Infinity)/.test(text)) {
    return "NaN in the geometry of a plot";
  }
  return undefined;
}

/** Classify a command-line run. */
export function classifyCli({ argv, code, stdout, stderr, errors, thrown, written = "" }) {
  if (thrown) return { kind: "untyped", detail: `runCli threw: ${describeFailure(thrown)}` };
  const untyped = errors.find((e) => !isTyped(e));
  if (untyped) return { kind: "untyped", detail: describeFailure(untyped) };
  // -v prints the stack of a failure on purpose; otherwise a stack trace is a crash.
  if (!argv.includes("-v") && /\n\s+at .+:\d+:\d+/.test(stderr)) {
    return { kind: "untyped", detail: `stack trace on stderr: ${stderr.slice(0, 300)}` };
  }
  if (code === 0) {
    const bad = badOutput(argv, `${stdout}\n${written}`);
    if (bad) return { kind: "bad", detail: `${bad}: ${stdout.slice(0, 300)}` };
    // ∞ as a result (a limit that does not exist) needs a warning; parameter bounds may be infinite.
    const results = ["cls", "limit", "significance", "scan"].includes(argv[0]);
    const infinite = /"Infinity"|(^|\s)inf(\s|$)/m.test(stdout);
    if (results && infinite && !argv.includes("-q") && !/spey: warning:/.test(stderr)) {
      return { kind: "bad", detail: `∞ without a warning: ${stdout.slice(0, 300)}` };
    }
    return { kind: "ok" };
  }
  if (code === 1 || code === 2) {
    // validate reports the problems it finds on standard output, with exit code 2.
    if (argv[0] === "validate" && stdout.length > 0) return { kind: "typed" };
    if (!stderr.startsWith("spey:") && !/^error:|^spey:/m.test(stderr)) {
      return { kind: "untyped", detail: `exit ${code} without a message: ${stderr.slice(0, 200)}` };
    }
    return { kind: "typed" };
  }
  return { kind: "untyped", detail: `exit code ${code}: ${stderr.slice(0, 200)}` };
}

/** Classify a library call: its numbers, or the error it threw. */
export function classifyLibrary(result, error, records) {
  if (error !== undefined) {
    return isTyped(error) ? { kind: "typed" } : { kind: "untyped", detail: describeFailure(error) };
  }
  for (const v of result.values ?? []) {
    if (typeof v !== "number" || Number.isNaN(v)) return { kind: "bad", detail: `CLs result ${v}` };
    if (!Number.isFinite(v)) return { kind: "bad", detail: `CLs result ${v}` };
  }
  for (const v of result.limits ?? []) {
    if (typeof v !== "number" || Number.isNaN(v)) return { kind: "bad", detail: `limit ${v}` };
    if (v === Number.POSITIVE_INFINITY && !records.some((r) => r.level === "warning")) {
      return { kind: "bad", detail: "limit +∞ without a warning" };
    }
    if (!(v > 0)) return { kind: "bad", detail: `limit ${v}` };
  }
  return { kind: "ok" };
}
