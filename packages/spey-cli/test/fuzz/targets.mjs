// The fuzzed entry points: every command of the command line run in-process (`runCli` with
// captured streams), the library's backends (getBackend + CLs + limits) and its workspace loading.
// Each target turns a fast-check draw into a run and classifies the outcome:
//   ok       exit code 0 (the output is checked: no NaN, no "undefined", ∞ only with a warning),
//   typed    exit code 1 or 2 from a SpeyError (or a command-line usage error),
//   untyped  any other error (a bug), bad: a result with NaN/undefined, or ∞ without a warning.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import * as spey from "spey";
import { runCli } from "../../dist/cli/program.js";
import {
  applyMutations,
  damage,
  extremeDescription,
  extremeModel,
  extremeValue,
  mutatedExample,
  SIMPLE_BACKENDS,
  toText,
} from "./mutate.mjs";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const read = (path) => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

/** The shipped examples, parsed. */
const MODELS = {
  cms: read("examples/cms-8bin.json"),
  single: read("examples/single-bin.json"),
  mvn: read("examples/correlated-2bin.json"),
};
const WORKSPACE = read("examples/histfactory/BkgOnly.json");
const PATCHSET = read("examples/histfactory/patchset.json");
const GRID_LINES = readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8")
  .trim()
  .split("\n")
  .slice(0, 3)
  .map(JSON.parse);
const GRID_BASE = read("examples/grid/background.json");
const CONTOURS = read("examples/contour/single-bin-contours.json");

/**
 * JSON-lines text of copies of `records` with `edits` ([line/key index, value] pairs) applied: each
 * edit replaces the value of one key of one record.
 */
function mutatedLines(records, edits) {
  const lines = records.map((r) => structuredClone(r));
  for (const [at, value] of edits) {
    const line = lines[at % lines.length];
    const keys = Object.keys(line);
    line[keys[at % keys.length]] = value;
  }
  return `${lines.map((l) => toText(l).replace(/\n/g, "")).join("\n")}\n`;
}

/** Writes the example grid with `edits` applied (`mutatedLines`) and the base model; returns the grid's text. */
function writeMutatedGrid(dir, edits, base) {
  const grid = mutatedLines(GRID_LINES, edits);
  writeFileSync(join(dir, "grid.jsonl"), grid);
  writeFileSync(join(dir, "base.json"), base.text());
  return grid;
}

const RESULTS = [
  {
    format: "spey-batch-results",
    version: 1,
    spey: spey.VERSION,
    grid: { file: "grid.jsonl", sha256: "0".repeat(64), points: 3 },
    base: null,
    shard: null,
    task: { compute: ["limit"], confidenceLevel: 0.95, expected: "aposteriori", poiTest: 1, calculator: "asymptotic" },
  },
  ...[0, 1, 2].map((i) => ({
    id: `p${i}`,
    line: i + 1,
    status: i === 2 ? "error" : "ok",
    ...(i === 2
      ? { error: { type: "InvalidInput", message: "bad" } }
      : {
          result: {
            backend: "default.uncorrelated_background",
            upperLimit: { observed: 1 + i, expected: [0.5, 0.7, 1, 1.4, 2] },
          },
        }),
    meta: { m1: 100 * (i + 1), m2: 50 * (i % 2) },
  })),
];

const SCAN = {
  model: "x",
  backend: "default.uncorrelated_background",
  confidenceLevel: 0.95,
  expectedType: "aposteriori",
  calculator: "asymptotic",
  bands: ["−2σ", "−1σ", "median", "+1σ", "+2σ"],
  poiValues: [0, 0.5, 1, 1.5],
  cls: {
    observed: [1, 0.4, 0.1, 0.02],
    expected: [0, 1, 2, 3].map((i) => [0.9, 0.8, 0.6, 0.4, 0.2].map((v) => v / (1 + i))),
  },
  deltaMinus2LogL: { observed: [0.1, 0, 0.3, 1.2], expected: [0, 0.2, 0.9, 2] },
  muHat: 0.4,
  upperLimit: { observed: 1.6, expected: [0.8, 1, 1.3, 1.8, 2.4] },
};

const FIT = {
  model: "x",
  backend: "pyhf",
  data: "observed",
  nll: 10,
  poi: "mu",
  parameters: [
    { name: "mu", value: 0.3, uncertainty: 0.2, bounds: [-5, 10], fixed: false },
    {
      name: "jes",
      value: 0.4,
      uncertainty: 0.8,
      bounds: [-5, 5],
      fixed: false,
      constraint: { type: "normal", nominal: 0, width: 1 },
      pull: 0.4,
      pullUncertainty: 0.8,
    },
  ],
  correlation: {
    names: ["mu", "jes"],
    matrix: [
      [1, 0.1],
      [0.1, 1],
    ],
  },
};

/** The example documents a target mutates, by name. */
const DOCUMENTS = {
  cms: MODELS.cms,
  single: MODELS.single,
  mvn: MODELS.mvn,
  workspace: WORKSPACE,
  patchset: PATCHSET,
  base: GRID_BASE,
  contours: CONTOURS,
  scan: SCAN,
  fit: FIT,
};

const mutated = (names) =>
  mutatedExample(names).map((m) => ({
    ...m,
    text: () => damage(toText(applyMutations(DOCUMENTS[m.example], m.mutations)), m.damage),
  }));

/** A model input: a mutated model file, a mutated workspace with a patch, or a numeric extreme. */
const modelInput = fc.oneof(
  { weight: 4, arbitrary: mutated(["cms", "single", "mvn"]).map((m) => ({ kind: "model", m })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        ws: mutated(["workspace"]),
        ps: fc.oneof(fc.constant(undefined), fc.constant(undefined), mutated(["patchset"])),
        patch: fc.constantFrom("stop_300", "stop_500", "nope", "", "constructor"),
      })
      .map((w) => ({ kind: "workspace", ...w })),
  },
  { weight: 2, arbitrary: extremeModel.map((x) => ({ kind: "extreme", x })) },
);

/** Files and the positional arguments of a model input (written into `dir`). */
function writeModel(dir, input, useStdin) {
  if (input.kind === "workspace") {
    const ws = input.ws.text();
    writeFileSync(join(dir, "ws.json"), ws);
    const ps = input.ps ? input.ps.text() : JSON.stringify(PATCHSET);
    writeFileSync(join(dir, "ps.json"), ps);
    const patch = `${join(dir, "ps.json")}:${input.patch}`;
    return useStdin ? { args: ["-", patch], stdin: ws } : { args: [join(dir, "ws.json"), patch] };
  }
  const text = input.kind === "model" ? input.m.text() : JSON.stringify(extremeDescription(input.x));
  writeFileSync(join(dir, "model.json"), text);
  return useStdin ? { args: ["-"], stdin: text } : { args: [join(dir, "model.json")] };
}

/** Random option sets: mostly valid ones (pyhf's names included), sometimes with an invalid one. */
const INVALID = [
  ["--bogus"],
  ["--poi-test", "1e999"],
  ["--cl", "1"],
  ["--test-stat", "q0"],
  ["--measurement", "nope"],
  ["-p", "missing.json"],
  ["--mu", "2:1"],
  ["--height", "20000"],
];
const options = (pool) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.subarray(pool, { maxLength: 3 }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.subarray(pool, { maxLength: 2 }), fc.constantFrom(...INVALID))
          .map(([a, b]) => [...a, b]),
      },
    )
    .map((chosen) => chosen.flat());

const COMMON = [["--json"], ["-q"], ["--strict"], ["--format", "table"], ["-v"]];
const MODEL_OPTIONS = [...COMMON, ["--measurement", "meas"], ["--no-verify"]];
const CLS_OPTIONS = [
  ...MODEL_OPTIONS,
  ["--format", "pyhf"],
  ["--poi-test", "0.5"],
  ["--poi-test", "-3"],
  ["--test-poi", "1e300"],
  ["--calctype", "toybased", "--ntoys", "20"],
  ["--calculator", "toy", "--ntoys", "10", "--seed", "3"],
  ["--calculator", "chi_square"],
  ["--test-stat", "q"],
  ["--expected", "apriori"],
];
const LIMIT_OPTIONS = [...MODEL_OPTIONS, ["--cl", "0.9"], ["--expected", "apriori"], ["--calctype", "asymptotics"]];
const FIT_OPTIONS = [...MODEL_OPTIONS, ["--format", "pyhf"], ["--data", "apriori"]];
const SCAN_OPTIONS = [
  ...MODEL_OPTIONS,
  ["--mu", "0:2:3"],
  ["--mu", "1e-300:1e300:3"],
  ["--points", "3"],
  ["--cl", "0.68"],
];
const PLOT_OPTIONS = [["--width", "300"], ["--scale", "0.1"], ["--title", "t"], ["-q"], ["--strict"]];

/** A command-line target: its name and how a draw becomes `spey ...`. */
function cliTarget(name, arbitrary, build) {
  return { name, kind: "cli", arbitrary, build };
}

const useStdin = fc.boolean();

export const TARGETS = [
  cliTarget("cli backends", options([...COMMON, ["extra"]]), (_dir, opts) => ({ argv: ["backends", ...opts] })),
  ...["cls", "limit", "significance", "fit"].map((command) =>
    cliTarget(
      `cli ${command}`,
      fc.tuple(
        modelInput,
        options(
          command === "cls"
            ? CLS_OPTIONS
            : command === "limit"
              ? LIMIT_OPTIONS
              : command === "fit"
                ? FIT_OPTIONS
                : MODEL_OPTIONS,
        ),
        useStdin,
      ),
      (dir, [input, opts, stdin]) => {
        const { args, stdin: text } = writeModel(dir, input, stdin);
        return { argv: [command, ...args, ...opts], stdin: text };
      },
    ),
  ),
  cliTarget(
    "cli inspect",
    fc.tuple(modelInput, options([...MODEL_OPTIONS, ["--format", "pyhf"]]), useStdin),
    (dir, [input, opts, stdin]) => {
      const { args, stdin: text } = writeModel(dir, input, stdin);
      return { argv: ["inspect", ...args, ...opts], stdin: text };
    },
  ),
  cliTarget("cli scan", fc.tuple(modelInput, options(SCAN_OPTIONS)), (dir, [input, opts]) => ({
    argv: ["scan", ...writeModel(dir, input, false).args, "--points", "3", ...opts],
  })),
  ...["brazil", "scan"].map((kind) =>
    cliTarget(
      `cli plot ${kind}`,
      fc.tuple(
        fc.oneof(
          modelInput,
          mutated(["scan"]).map((m) => ({ kind: "saved", m })),
        ),
        options([...PLOT_OPTIONS, ["--mu", "0:2:3"], ["--log"]]),
      ),
      (dir, [input, opts]) => {
        let args;
        if (input.kind === "saved") {
          writeFileSync(join(dir, "scan.json"), input.m.text());
          args = [join(dir, "scan.json")];
        } else args = writeModel(dir, input, false).args;
        return { argv: ["plot", kind, ...args, "--points", "3", "-o", join(dir, "out.svg"), ...opts] };
      },
    ),
  ),
  cliTarget(
    "cli plot grid",
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), extremeValue), { maxLength: 3 }),
      options([...PLOT_OPTIONS, ["--x", "m1"], ["--y", "nope"], ["--color", "expected"], ["--x-unit", "GeV"]]),
    ),
    (dir, [edits, opts]) => {
      const lines = RESULTS.map((r) => structuredClone(r));
      for (const [at, value] of edits) {
        const record = lines[at % lines.length];
        const keys = Object.keys(record);
        record[keys[at % keys.length]] = value;
      }
      writeFileSync(join(dir, "results.jsonl"), `${lines.map((l) => toText(l).replace(/\n/g, "")).join("\n")}\n`);
      return { argv: ["plot", "grid", join(dir, "results.jsonl"), "-o", join(dir, "grid.svg"), ...opts] };
    },
  ),
  cliTarget(
    "cli plot contour",
    fc.tuple(
      fc.oneof(
        mutated(["contours"]).map((m) => ({ kind: "saved", m })),
        modelInput,
      ),
      options([...PLOT_OPTIONS, ["--cl", "0.9"], ["--parameters", "0,1"], ["--best-fit", "1,x"]]),
    ),
    (dir, [input, opts]) => {
      let args;
      if (input.kind === "saved") {
        writeFileSync(join(dir, "contours.json"), input.m.text());
        args = [join(dir, "contours.json")];
      } else {
        // Contours of a computed model are slow: only the two-parameter single-bin model.
        writeFileSync(join(dir, "model.json"), JSON.stringify(MODELS.single));
        args = [join(dir, "model.json"), "--cl", "0.68"];
      }
      return { argv: ["plot", "contour", ...args, "-o", join(dir, "contour.svg"), ...opts] };
    },
  ),
  cliTarget(
    "cli plot pulls",
    fc.tuple(
      fc.oneof(
        mutated(["fit"]).map((m) => ({ kind: "saved", m })),
        modelInput,
      ),
      options(PLOT_OPTIONS),
    ),
    (dir, [input, opts]) => {
      let args;
      if (input.kind === "saved") {
        writeFileSync(join(dir, "fit.json"), input.m.text());
        args = [join(dir, "fit.json")];
      } else args = writeModel(dir, input, false).args;
      return { argv: ["plot", "pulls", ...args, "-o", join(dir, "pulls.svg"), ...opts] };
    },
  ),
  ...["inspect", "extract", "apply", "verify"].map((sub) =>
    cliTarget(
      `cli patchset ${sub}`,
      fc.tuple(
        mutated(["patchset"]),
        fc.oneof(fc.constant(undefined), mutated(["workspace"])),
        fc.constantFrom("stop_300", "stop_500", "stop_300", "nope", "__proto__"),
        options([["--json"], ["--with-metadata"], ["--no-verify"], ["-q"]]),
      ),
      (dir, [ps, ws, name, opts]) => {
        writeFileSync(join(dir, "ps.json"), ps.text());
        writeFileSync(
          join(dir, "ws.json"),
          ws ? ws.text() : readFileSync(join(ROOT, "examples/histfactory/BkgOnly.json"), "utf8"),
        );
        const p = join(dir, "ps.json");
        const w = join(dir, "ws.json");
        const out = ["--output-file", join(dir, "out.json")];
        const valid = {
          inspect: [p, ...opts.filter((o) => o === "--json")],
          extract: [p, "--name", name, ...opts.filter((o) => o === "--with-metadata"), ...out],
          apply: [w, p, "--name", name, ...opts.filter((o) => o === "--no-verify"), ...out],
          verify: [w, p],
        }[sub];
        return { argv: ["patchset", sub, ...valid, ...opts.filter((o) => o === "-q")] };
      },
    ),
  ),
  cliTarget(
    "cli batch",
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), extremeValue), { maxLength: 3 }),
      mutated(["base"]),
      fc.boolean(),
      options([
        ["--compute", "limit"],
        ["--compute", "cls,significance"],
        ["--timeout", "5"],
        ["--cl", "0.9"],
        ["--shard", "1/2"],
        ["--retry-errors"],
        ["--strict"],
        ["--warm-start"],
        ["--warm-start", "--chain-length", "2"],
      ]),
    ),
    (dir, [edits, base, stdin, opts]) => {
      const grid = writeMutatedGrid(dir, edits, base);
      const out = join(dir, `results-${Math.random().toString(36).slice(2)}.jsonl`);
      return {
        argv: [
          "batch",
          stdin ? "-" : join(dir, "grid.jsonl"),
          "--base",
          join(dir, "base.json"),
          "-o",
          out,
          "--workers",
          "1",
          "--compute",
          "limit",
          "--timeout",
          "5",
          ...opts,
        ],
        stdin: stdin ? grid : undefined,
      };
    },
  ),
  cliTarget(
    "cli merge",
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), extremeValue), { maxLength: 3 }),
      fc.boolean(),
      options([["--json"], ["--allow-incomplete"], ["-q"]]),
    ),
    (dir, [edits, twice, opts]) => {
      const text = mutatedLines(RESULTS, edits);
      writeFileSync(join(dir, "a.jsonl"), text);
      writeFileSync(join(dir, "b.jsonl"), text);
      const inputs = twice ? [join(dir, "a.jsonl"), join(dir, "b.jsonl")] : [join(dir, "a.jsonl")];
      return { argv: ["merge", ...inputs, "-o", join(dir, "merged.jsonl"), ...opts] };
    },
  ),
  cliTarget(
    "cli validate",
    fc.tuple(
      fc.oneof(
        modelInput,
        mutated(["base"]).map((m) => ({ kind: "model", m })),
      ),
      options([["--json"], ["--strict"], ["-q"]]),
    ),
    (dir, [input, opts]) => ({ argv: ["validate", ...writeModel(dir, input, false).args, ...opts] }),
  ),
  {
    name: "library getBackend + CLs + limits",
    kind: "library",
    arbitrary: fc.oneof(
      { weight: 3, arbitrary: extremeModel.map((x) => extremeDescription(x)) },
      {
        weight: 2,
        arbitrary: mutatedExample(["cms", "single", "mvn"]).map((m) =>
          applyMutations(DOCUMENTS[m.example], m.mutations),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          backend: fc.constantFrom(...SIMPLE_BACKENDS),
          signalYields: fc.oneof(extremeValue, fc.constant([10n]), fc.constant({ length: 1e10 })),
          backgroundYields: extremeValue,
          data: extremeValue,
          absoluteUncertainties: extremeValue,
        }),
      },
    ),
    run: (description) => {
      const isObject = description !== null && typeof description === "object" && !Array.isArray(description);
      const { backend, ...args } = isObject ? description : { backend: "default.poisson" };
      const model = spey.getBackend(typeof backend === "string" ? backend : "default.poisson")(
        isObject ? args : description,
      );
      const [observed, expected] = model.exclusionConfidenceLevel({ expected: "all" });
      const single = model.exclusionConfidenceLevel();
      const limit = model.poiUpperLimit();
      const band = model.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" });
      return { values: [...observed, ...expected, ...single], limits: [limit, ...band] };
    },
  },
  {
    name: "library workspace loading",
    kind: "library",
    arbitrary: fc.record({
      ws: fc.oneof(fc.constant(undefined), mutatedExample(["workspace"])),
      ps: mutatedExample(["patchset"]),
      name: fc.constantFrom("stop_300", "stop_500", "x"),
    }),
    run: ({ ws, ps, name }) => {
      const text = ws
        ? damage(toText(applyMutations(WORKSPACE, ws.mutations)), ws.damage)
        : readFileSync(join(ROOT, "examples/histfactory/BkgOnly.json"), "utf8");
      const workspace = spey.Workspace.fromJSON(text, "fuzzed workspace");
      const patchSet = spey.PatchSet.fromJSON(damage(toText(applyMutations(PATCHSET, ps.mutations)), ps.damage));
      const patched = patchSet.apply(workspace, name);
      const model = new spey.StatisticalModel(new spey.PyhfBackend({ backgroundOnlyModel: patched, signalPatch: [] }));
      const [observed, expected] = model.exclusionConfidenceLevel({ expected: "all" });
      return { values: [...observed, ...expected], limits: [] };
    },
  },
];

// ---- Queue commands (spey batch --queue, worker, status, collect) against a real redis-server ----
// run.mjs starts one on 127.0.0.1 and passes its URL through SPEY_FUZZ_REDIS_URL (set by runFuzz
// before the worker threads start); these targets are selected only then. The runs fz-a (pending)
// and fz-b (complete) are seeded by run.mjs; fuzzed batches add runs under the names of RUN_NAMES.

/** The fuzz server's URL, read when an input is built. */
const redisUrl = () => {
  const url = process.env.SPEY_FUZZ_REDIS_URL;
  if (!url) throw new Error("the queue targets need SPEY_FUZZ_REDIS_URL (run.mjs starts a redis-server)");
  return url;
};

/**
 * --queue values: mostly the server; malformed URLs (scheme, port, database, credentials,
 * fragments); rarely (≈1%) a closed port, which costs the client's ~3 s of connection retries.
 */
const queueUrlInput = fc.oneof(
  { weight: 100, arbitrary: fc.constant({ kind: "good" }) },
  {
    weight: 20,
    arbitrary: fc
      .constantFrom(
        "",
        "redis://",
        "redis:",
        "http://127.0.0.1:6379",
        "127.0.0.1:6379",
        "redis://127.0.0.1:99999/0",
        "redis://127.0.0.1:-1/0",
        "redis://127.0.0.1:abc/0",
        "redis://127.0.0.1:0/0",
        "redis://[::1",
        "redis://%zz@127.0.0.1/0",
        "rediss://",
        "redis://a:b:c@127.0.0.1:1/0",
        "redis://127.0.0.1:6379/1e999",
        "constructor",
        "-",
        "a".repeat(5000),
      )
      .map((text) => ({ kind: "text", text })),
  },
  {
    weight: 10,
    arbitrary: fc
      .constantFrom("/16", "/-1", "/abc", "/0?x=1", "/0#frag", "/1.5", "/ 0", "/00")
      .map((suffix) => ({ kind: "good", suffix })),
  },
  { weight: 3, arbitrary: extremeValue.map((v) => ({ kind: "text", text: String(v) })) },
  { weight: 1, arbitrary: fc.constant({ kind: "closed" }) },
);

function queueUrlText(input) {
  if (input.kind === "text") return input.text;
  if (input.kind === "closed") return "redis://127.0.0.1:1/0";
  const url = redisUrl();
  return input.suffix ? url.replace(/\/0$/, input.suffix) : url;
}

const RUN_NAMES = ["fz-a", "fz-b", "fz-c", "fz-d", "default"];
const runNameInput = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...RUN_NAMES) },
  // 100 more names: batches keep creating new runs, which workers compute and collect fetches
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 99 }).map((k) => `fz-r${k}`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "../x",
      "a".repeat(65),
      "a".repeat(64),
      "__proto__",
      "constructor",
      "-x",
      "ünïcødé",
      "a b",
      "spey:x",
      "x\ny",
      "*",
      "fz-a:results",
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
);

/** `--queue URL --run NAME`, each sometimes missing or repeated. */
const queueArguments = fc
  .record({
    url: queueUrlInput,
    run: runNameInput,
    omitQueue: fc.integer({ min: 0, max: 30 }),
    omitRun: fc.integer({ min: 0, max: 10 }),
  })
  .map((q) => ({
    args: () => [
      ...(q.omitQueue === 0 ? [] : ["--queue", queueUrlText(q.url)]),
      ...(q.omitRun === 0 ? [] : ["--run", q.run]),
    ],
  }));

const QUEUE_COMMON = [["--json"], ["-q"], ["--strict"], ["-v"]];
const QUEUE_INVALID = [["--tls-ca", "missing.pem"], ["--bogus"], ["--queue"], ["--run"]];

/** Mostly valid option sets; one in five adds an invalid option. */
const queueOptions = (valid, invalid = []) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.subarray(valid, { maxLength: 2 }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.subarray(valid, { maxLength: 1 }), fc.constantFrom(...QUEUE_INVALID, ...invalid))
          .map(([a, b]) => [...a, b]),
      },
    )
    .map((chosen) => chosen.flat());

function queueTarget(name, arbitrary, build) {
  return { ...cliTarget(name, arbitrary, build), needsRedis: true };
}

export const QUEUE_TARGETS = [
  queueTarget(
    "cli queue batch --queue",
    fc.tuple(
      fc.array(fc.tuple(fc.nat(), extremeValue), { maxLength: 3 }),
      mutated(["base"]),
      queueArguments,
      queueOptions(
        [
          ...QUEUE_COMMON,
          ["--compute", "limit"],
          ["--compute", "cls,significance"],
          ["--cl", "0.9"],
          ["--allow-version-mismatch"],
        ],
        [["--workers", "2"], ["--timeout", "5"], ["--shard", "1/2"], ["--retry-errors"], ["--cl", "2"]],
      ),
      fc.boolean(),
    ),
    (dir, [edits, base, queue, opts, stdin]) => {
      const grid = writeMutatedGrid(dir, edits, base);
      // --detach always: without it the command follows the run until workers finish it
      return {
        argv: [
          "batch",
          stdin ? "-" : join(dir, "grid.jsonl"),
          "--base",
          join(dir, "base.json"),
          "--compute",
          "limit",
          ...queue.args(),
          "--detach",
          ...opts,
        ],
        stdin: stdin ? grid : undefined,
      };
    },
  ),
  queueTarget(
    "cli queue worker",
    fc.tuple(
      queueArguments,
      queueOptions(
        [
          ...QUEUE_COMMON,
          ["--allow-version-mismatch"],
          ["--lock-seconds", "30"],
          ["--concurrency", "2"],
          ["--timeout", "0"],
          ["--wait-seconds", "0"],
        ],
        [
          ["--lock-seconds", "0.5"],
          ["--lock-seconds", "1e999"],
          ["--concurrency", "0"],
          ["--concurrency", "1.5"],
          ["--timeout", "-1"],
          ["--timeout", "NaN"],
          ["--wait-seconds", "-1"],
          ["--wait-seconds", "1e999"],
        ],
      ),
    ),
    // --exit-when-done and --wait-seconds always: without them a worker serves the queue (or waits
    // for a run of that name to be enqueued) until stopped
    (_dir, [queue, opts]) => ({
      argv: [
        "worker",
        ...queue.args(),
        "--exit-when-done",
        "--wait-seconds",
        "1",
        "--concurrency",
        "1",
        "--timeout",
        "5",
        ...opts,
      ],
    }),
  ),
  queueTarget("cli queue status", fc.tuple(queueArguments, queueOptions(QUEUE_COMMON)), (_dir, [queue, opts]) => ({
    argv: ["status", ...queue.args(), ...opts],
  })),
  queueTarget(
    "cli queue collect",
    fc.tuple(
      queueArguments,
      fc.constantFrom("file", "file", "file", "directory", "missing-dir", "under-a-file", "none", "empty"),
      queueOptions([...QUEUE_COMMON, ["--allow-incomplete"]]),
    ),
    (dir, [queue, output, opts]) => {
      const target = {
        file: ["-o", join(dir, "collected.jsonl")],
        directory: ["-o", dir],
        "missing-dir": ["-o", join(dir, "no", "such", "dir", "r.jsonl")],
        "under-a-file": ["-o", join(dir, "collected.jsonl", "r.jsonl")],
        none: [],
        empty: ["-o", ""],
      }[output];
      return { argv: ["collect", ...queue.args(), ...target, ...opts] };
    },
  ),
];

TARGETS.push(...QUEUE_TARGETS);

/** A per-worker scratch directory. */
export function scratch(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export { runCli };
