import { availableBackends, getBackend } from "spey";
// model files and batch points may name the pyhf backends: register them
import "spey/histfactory";
import { isObject } from "../../batch/description.js";
import { clsSummary, describeValue, SpeyError } from "spey";
import type { StatisticalModel } from "spey";
import { captureLogs } from "spey";
import { ExitCode, exitCodeFor } from "../exit-codes.js";
import { BACKEND_SCHEMAS, ENVELOPES, MATRICES, PER_BIN_VECTORS, suggestion, UNIVERSAL_ARGUMENTS } from "./schema.js";

/** A problem found in a model: where (an argument, an entry) and what. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** The outcome of checking one model description. */
export interface ModelReport {
  problems: Problem[];
  warnings: string[];
  backend?: string | undefined;
  bins?: number | undefined;
}

const camel = (key: string) =>
  key.includes("_") ? key.replace(/(?<=[A-Za-z0-9])_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key;
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const MAX_PER_ARGUMENT = 5;

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return describeValue(value);
}

/** Collects problems with the user's spelling of argument names. */
class Checker {
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  private readonly spelling = new Map<string, string>();

  constructor(readonly args: Record<string, unknown>) {
    for (const key of Object.keys(args)) this.spelling.set(camel(key), key);
  }

  name(argument: string): string {
    return this.spelling.get(argument) ?? argument;
  }

  value(argument: string): unknown {
    const key = this.spelling.get(argument);
    return key === undefined ? undefined : this.args[key];
  }

  has(argument: string): boolean {
    return this.spelling.has(argument);
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Check a vector of finite numbers; returns its length (undefined when not an array). */
  vector(argument: string, nonNegative: boolean): number | undefined {
    const value = this.value(argument);
    const name = this.name(argument);
    if (!Array.isArray(value)) {
      this.problem(name, `must be an array of numbers; got ${describe(value)}`);
      return undefined;
    }
    if (value.length === 0) this.problem(name, "must not be empty");
    let reported = 0;
    value.forEach((entry, i) => {
      if (reported >= MAX_PER_ARGUMENT) return;
      if (typeof entry !== "number" || !Number.isFinite(entry)) {
        this.problem(`${name}[${i}]`, `must be a finite number; got ${describe(entry)}`);
        reported++;
      } else if (nonNegative && entry < 0) {
        this.problem(`${name}[${i}]`, `is ${entry}: it must be ≥ 0`);
        reported++;
      }
    });
    return value.length;
  }

  /** Check an n × n matrix (finite, symmetric, positive diagonal; unit diagonal for correlations). */
  matrix(argument: string, n: number | undefined, correlation: boolean): void {
    const value = this.value(argument);
    const name = this.name(argument);
    if (!Array.isArray(value) || !value.every(Array.isArray)) {
      this.problem(name, `must be a matrix (an array of rows); got ${describe(value)}`);
      return;
    }
    const rows = value as unknown[][];
    const size = n ?? rows.length;
    if (rows.length !== size) this.problem(name, `has ${rows.length} rows; expected ${size} (one per bin)`);
    let reported = 0;
    const bad = (path: string, message: string) => {
      if (reported++ < MAX_PER_ARGUMENT) this.problem(path, message);
    };
    rows.forEach((row, i) => {
      if (row.length !== size) bad(`${name}[${i}]`, `has ${row.length} entries; expected ${size}`);
      row.forEach((entry, j) => {
        if (typeof entry !== "number" || !Number.isFinite(entry))
          bad(`${name}[${i}][${j}]`, `must be a finite number; got ${describe(entry)}`);
      });
    });
    if (reported > 0 || rows.length !== size) return;
    const m = rows as number[][];
    let scale = 1e-300;
    for (const row of m) for (const v of row) scale = Math.max(scale, Math.abs(v));
    let asymmetric = false;
    for (let i = 0; i < size; i++) {
      const d = m[i]?.[i] as number;
      if (correlation ? Math.abs(d - 1) > 1e-9 : !(d > 0)) {
        bad(
          `${name}[${i}][${i}]`,
          correlation ? `is ${d}: a correlation matrix has 1 on its diagonal` : `is ${d}: variances must be > 0`,
        );
      }
      for (let j = i + 1; j < size; j++) {
        const a = m[i]?.[j] as number;
        const b = m[j]?.[i] as number;
        // Relative tolerance 1e-9 of the largest entry: rounding in a printed matrix is not an asymmetry.
        // The library symmetrises such a matrix with a warning, so this is a warning here too.
        if (Math.abs(a - b) > 1e-9 * scale && !asymmetric) {
          asymmetric = true;
          this.warnings.push(
            `${name}[${i}][${j}] is ${a} but ${name}[${j}][${i}] is ${b}: the matrix is not symmetric; its symmetric part (Σ + Σᵀ)/2 is used`,
          );
        }
        if (correlation && Math.abs(a) > 1) bad(`${name}[${i}][${j}]`, `is ${a}: correlations lie in [−1, 1]`);
      }
    }
  }

  /** Check one [upper, lower] pair of non-negative numbers per bin. */
  envelopes(argument: string, n: number | undefined): void {
    const value = this.value(argument);
    const name = this.name(argument);
    if (!Array.isArray(value)) {
      this.problem(name, `must be an array of [upper, lower] pairs; got ${describe(value)}`);
      return;
    }
    if (n !== undefined && value.length !== n)
      this.problem(name, `has ${value.length} entries; expected ${n} (one per bin)`);
    value.slice(0, 50).forEach((pair, i) => {
      const ok =
        Array.isArray(pair) &&
        pair.length === 2 &&
        pair.every((x) => typeof x === "number" && Number.isFinite(x) && x >= 0);
      if (!ok)
        this.problem(`${name}[${i}]`, `must be a pair [upper, lower] of numbers ≥ 0; got ${describeValue(pair)}`);
    });
  }
}

/** The number of bins: the length of `data`, else of the background yields. */
function binCount(check: Checker): number | undefined {
  for (const argument of ["data", "backgroundYields"]) {
    const value = check.value(argument);
    if (Array.isArray(value)) return value.length;
  }
  return undefined;
}

function checkArguments(check: Checker, backend: string | undefined): number | undefined {
  const schema = backend ? BACKEND_SCHEMAS[backend] : undefined;
  const n = binCount(check);
  const nonNegative = new Set(schema?.nonNegative ?? []);
  for (const argument of PER_BIN_VECTORS) {
    if (!check.has(argument)) continue;
    if (argument === "signalYields" && !Array.isArray(check.value(argument))) {
      check.problem(
        check.name(argument),
        `must be an array of numbers (one per bin); got ${describe(check.value(argument))}`,
      );
      continue;
    }
    const length = check.vector(argument, nonNegative.has(argument));
    if (length !== undefined && n !== undefined && length !== n && length > 0) {
      const reference = check.has("data") ? check.name("data") : check.name("backgroundYields");
      check.problem(
        check.name(argument),
        `has ${length} entries but ${reference} has ${n}: one value per bin is needed`,
      );
    }
  }
  for (const argument of MATRICES) {
    if (check.has(argument)) check.matrix(argument, n, argument === "correlationMatrix");
  }
  for (const argument of ENVELOPES) {
    if (check.has(argument)) check.envelopes(argument, n);
  }
  const analysis = check.value("analysis");
  if (analysis !== undefined && typeof analysis !== "string") check.problem(check.name("analysis"), "must be a string");
  const xsection = check.value("xsection");
  if (xsection !== undefined && !(typeof xsection === "number" && Number.isFinite(xsection))) {
    check.problem(check.name("xsection"), `must be a number; got ${describe(xsection)}`);
  }
  const ntoys = check.value("ntoys");
  if (ntoys !== undefined && !(typeof ntoys === "number" && Number.isInteger(ntoys) && ntoys > 0)) {
    check.problem(check.name("ntoys"), `must be a positive integer; got ${describe(ntoys)}`);
  }
  if (schema) {
    const snakeCase = Object.keys(check.args).some((k) => k.includes("_"));
    const show = (a: string) => (snakeCase ? snake(a) : a);
    for (const argument of schema.required) {
      const alternatives = argument === "absoluteUncertaintyEnvelops" ? ["absoluteUncertaintyEnvelopes"] : [];
      if (!check.has(argument) && !alternatives.some((a) => check.has(a))) {
        check.problem(show(argument), `is required by ${backend} but missing`);
      }
    }
    const known = [...schema.required, ...schema.optional, ...UNIVERSAL_ARGUMENTS];
    for (const key of Object.keys(check.args)) {
      if (!known.includes(camel(key))) {
        check.warnings.push(
          `unknown argument "${key}" for ${backend} is ignored${suggestion(camel(key), known, show)}`,
        );
      }
    }
  }
  return n;
}

/** Duplicated spellings (`signal_yields` and `signalYields`). */
function checkSpellings(args: Record<string, unknown>, problems: Problem[]): void {
  const seen = new Map<string, string>();
  for (const key of Object.keys(args)) {
    const c = camel(key);
    const other = seen.get(c);
    if (other !== undefined) problems.push({ path: key, message: `is given twice (also as "${other}"); keep one` });
    else seen.set(c, key);
  }
}

/** Try the likelihood: a free fit and 1 − CLs at μ = 1, with the warnings they emit. */
function evaluate(model: StatisticalModel, report: ModelReport): void {
  try {
    const { records } = captureLogs(() => {
      const [muhat, nll] = model.maximizeLikelihood();
      if (!Number.isFinite(muhat) || !Number.isFinite(nll)) {
        report.problems.push({
          path: "likelihood",
          message: `the best fit is not finite (μ̂ = ${muhat}, NLL = ${nll})`,
        });
      }
      // The computation of spey cls (CLs at μ = 1 with its expected band): validate and cls agree.
      clsSummary(model);
    });
    for (const r of records) if (r.level === "warning" || r.level === "error") report.warnings.push(r.message);
  } catch (error) {
    if (!(error instanceof SpeyError)) throw error;
    report.problems.push({ path: "likelihood", message: `cannot be evaluated: ${(error as Error).message}` });
  }
}

/**
 * Check a model description `{ backend, ...arguments }` and report every problem found: the
 * structure and types of the known arguments, consistent bin counts, matrices, required and
 * unknown arguments; then, when that is clean, whether the library builds the model and (with
 * `evaluate`) whether its likelihood can be fitted.
 */
export function checkModelDescription(value: unknown, options: { evaluate: boolean }): ModelReport {
  const report: ModelReport = { problems: [], warnings: [] };
  if (!isObject(value)) {
    report.problems.push({
      path: "(file)",
      message: 'a model must be a JSON object { "backend": "...", ...arguments }',
    });
    return report;
  }
  const { backend, ...args } = value;
  const backends = availableBackends();
  if (backend === undefined) {
    report.problems.push({ path: "backend", message: `is missing; one of ${backends.join(", ")}` });
  } else if (typeof backend !== "string") {
    report.problems.push({ path: "backend", message: `must be a string; got ${describe(backend)}` });
  } else if (!backends.includes(backend)) {
    report.problems.push({
      path: "backend",
      message: `"${backend}" is not an available backend${suggestion(backend, backends)}; see \`spey backends\``,
    });
  } else {
    report.backend = backend;
  }
  checkSpellings(args, report.problems);
  const check = new Checker(args);
  report.bins = checkArguments(check, report.backend);
  for (const p of check.problems) report.problems.push(p);
  for (const w of check.warnings) report.warnings.push(w);
  if (report.problems.length > 0 || report.backend === undefined) return report;
  let model: StatisticalModel;
  try {
    model = getBackend(report.backend)({ ...args });
  } catch (error) {
    // Input errors are the file's problems; anything else is a failure of the program (exit 1).
    if (exitCodeFor(error) !== ExitCode.BadInput) throw error;
    report.problems.push({ path: "(model)", message: (error as Error).message });
    return report;
  }
  if (options.evaluate) evaluate(model, report);
  return report;
}
