// Fuzz inputs: the shipped examples mutated (JSON values replaced, keys deleted or misspelled,
// arrays cut or stretched, the text cut or corrupted) and numeric extremes. Plain JavaScript: the
// fuzz workers run in worker threads on the built packages (see runner.mjs).
import fc from "fast-check";

/** Numbers that break naive code: signed zero, denormals, overflow, huge integers, huge ratios. */
export const EXTREME_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2,
  1e-300,
  5e-324,
  -5e-324,
  1e-20,
  1e-10,
  1e9,
  1e10,
  1e15,
  2 ** 53 + 1,
  1e100,
  1e300,
  1.797e308,
  -1.797e308,
  -1e-300,
  1e6,
  123.456,
];

/** Strings that break naive code: prototype names, numbers in strings, empty and long ones. */
export const EXTREME_STRINGS = [
  "",
  "x",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "1e999",
  "NaN",
  "Infinity",
  "-",
  "default.poisson",
  "pyhf",
  "mu",
  "a".repeat(5000),
  "ünïcødé μ σ",
  "line\nbreak",
];

// Placeholders replaced in the JSON text after serialisation: values JSON.stringify cannot write.
export const TEXT_MARKERS = {
  "@@DEEP@@": () => `${"[".repeat(20000)}${"]".repeat(20000)}`,
  "@@DEEPOBJ@@": () => `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`,
  "@@INF@@": () => "1e999",
  "@@NEGINF@@": () => "-1e999",
  "@@FLOAT200@@": () => "200.0",
  "@@HUGEINT@@": () => "123456789012345678901234567890",
  "@@TINY@@": () => "1e-400",
};

/** A replacement value (or a text marker). */
export const extremeValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 1000 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EXTREME_STRINGS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      [],
      {},
      [[]],
      [null],
      { length: 1e10 },
      { length: 2, 0: 1, 1: 2 },
      [1, "a"],
      [[1, 2], [3]],
      ...Object.keys(TEXT_MARKERS),
    ),
  },
);

function nodes(value, path = [], out = []) {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value !== null && typeof value === "object") {
    for (const k of Object.keys(value)) nodes(value[k], [...path, k], out);
  }
  return out;
}

function getAt(value, path) {
  let v = value;
  for (const k of path) v = v?.[k];
  return v;
}

function setAt(root, path, replacement) {
  if (path.length === 0) return replacement;
  const parent = getAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === "object") {
    Object.defineProperty(parent, path[path.length - 1], {
      value: replacement,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return root;
}

/** One mutation: where (an index into the list of nodes) and what. */
export const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom(
    "replace",
    "replace",
    "replace",
    "delete",
    "rename",
    "snake",
    "truncate",
    "stretch",
    "scale",
    "negate",
    "wrap",
  ),
  value: extremeValue,
  factor: fc.constantFrom(1e-300, 1e-12, 1e-3, 10, 1e6, 1e12, 1e300, -1),
  name: fc.constantFrom("constructor", "__proto__", "signal_yeilds", "modifers", "poiBound", "x", "data_"),
});

/** Apply mutations to a deep copy of `value`. */
export function applyMutations(value, mutations) {
  let root = structuredClone(value);
  for (const m of mutations) {
    const all = nodes(root);
    const path = all[m.at % all.length];
    const target = getAt(root, path);
    const parentPath = path.slice(0, -1);
    const parent = getAt(root, parentPath);
    const key = path[path.length - 1];
    switch (m.op) {
      case "replace":
        root = setAt(root, path, structuredClone(m.value));
        break;
      case "delete":
        if (Array.isArray(parent)) parent.splice(key, 1);
        else if (parent && typeof parent === "object") delete parent[key];
        break;
      case "rename":
        if (parent && typeof parent === "object" && !Array.isArray(parent)) {
          const v = parent[key];
          delete parent[key];
          Object.defineProperty(parent, m.name, { value: v, enumerable: true, writable: true, configurable: true });
        }
        break;
      case "snake":
        // The same argument in both spellings (signal_yields and signalYields).
        if (parent && typeof parent === "object" && !Array.isArray(parent) && typeof key === "string") {
          const other = key.includes("_")
            ? key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
            : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          if (other !== key) parent[other] = structuredClone(parent[key]);
        }
        break;
      case "truncate":
        if (Array.isArray(target)) target.length = Math.floor(target.length / 2);
        break;
      case "stretch":
        if (Array.isArray(target) && target.length > 0) target.push(structuredClone(target[target.length - 1]));
        break;
      case "scale":
        if (typeof target === "number") root = setAt(root, path, target * m.factor);
        else if (Array.isArray(target)) {
          for (let i = 0; i < target.length; i++) if (typeof target[i] === "number") target[i] *= m.factor;
        }
        break;
      case "negate":
        if (typeof target === "number") root = setAt(root, path, -target);
        break;
      case "wrap":
        root = setAt(root, path, [structuredClone(target)]);
        break;
    }
  }
  return root;
}

/** JSON text of a mutated value, with the text markers expanded. */
export function toText(value) {
  let text = JSON.stringify(value, null, 1);
  if (text === undefined) text = "null";
  for (const [marker, make] of Object.entries(TEXT_MARKERS)) {
    if (text.includes(marker)) text = text.split(`"${marker}"`).join(make());
  }
  return text;
}

/** Text-level damage: cut, a stray character, a BOM, or nothing. */
export const textDamage = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "none" }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cut"), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("insert"),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      char: fc.constantFrom(",", "]", "}", '"', "\u0000", "x", "\ufeff"),
    }),
  },
);

export function damage(text, d) {
  if (d.kind === "cut") return text.slice(0, Math.floor(text.length * d.at));
  if (d.kind === "insert") {
    const i = Math.floor(text.length * d.at);
    return text.slice(0, i) + d.char + text.slice(i);
  }
  return text;
}

/** A mutated example: which example, the mutations, and text damage. */
export function mutatedExample(names) {
  return fc.record({
    example: fc.constantFrom(...names),
    mutations: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }) },
      { weight: 1, arbitrary: fc.array(mutation, { minLength: 3, maxLength: 6 }) },
    ),
    damage: textDamage,
  });
}

/** Numeric-extreme simplified models: every number drawn from the extremes or a wide range. */
export const extremeNumber = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EXTREME_NUMBERS.map(Math.abs)) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e300, noNaN: true }) },
);

export const SIMPLE_BACKENDS = [
  "default.uncorrelated_background",
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
  "default.poisson",
  "default.normal",
  "default.multivariate_normal",
];

export const extremeModel = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record({
    backend: fc.constantFrom(...SIMPLE_BACKENDS),
    signal: fc.array(extremeNumber, { minLength: n, maxLength: n }),
    background: fc.array(extremeNumber, { minLength: n, maxLength: n }),
    data: fc.array(extremeNumber, { minLength: n, maxLength: n }),
    uncertainty: fc.array(extremeNumber, { minLength: n, maxLength: n }),
    correlation: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
    skew: fc.double({ min: -0.9, max: 0.9, noNaN: true }),
    rounded: fc.boolean(),
  }),
);

/** The model description of a numeric-extreme draw. */
export function extremeDescription(x) {
  const n = x.signal.length;
  const u = x.uncertainty;
  const args = {
    backend: x.backend,
    signalYields: x.signal,
    backgroundYields: x.background,
    data: x.rounded ? x.data.map(Math.round) : x.data,
  };
  const rho = (i, j) => (i === j ? 1 : x.correlation / (1 + Math.abs(i - j)));
  if (["default.uncorrelated_background", "default.normal", "default.poisson"].includes(x.backend)) {
    args.absoluteUncertainties = u;
  } else if (x.backend === "default.effective_sigma") {
    args.correlationMatrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => rho(i, j)));
    args.absoluteUncertaintyEnvelops = u.map((v) => [v * (1 + x.skew), v * (1 - x.skew)]);
  } else {
    args.covarianceMatrix = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => rho(i, j) * (u[i] ?? 1) * (u[j] ?? 1)),
    );
    if (x.backend === "default.third_moment_expansion") args.thirdMoment = u.map((v) => x.skew * v ** 3);
  }
  return args;
}
