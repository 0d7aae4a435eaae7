import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src", import.meta.url));
const cliSrc = fileURLToPath(new URL("../../../spey-cli/src", import.meta.url));
const architectureDoc = fileURLToPath(new URL("../../../../docs/architecture.md", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every import specifier of a file: static, `import type`, `export … from`, dynamic `import("…")`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g))
    out.push(m[1] as string);
  for (const m of text.matchAll(/(?:^|[\s;])import\s*["']([^"']+)["']/g)) out.push(m[1] as string);
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] as string);
  return out;
}

/** The folder (relative to src, "/"-separated) of a source file; "" for the entry files at the root. */
const folderOf = (file: string) => relative(src, dirname(file)).split(sep).join("/");
const topOf = (folder: string) => folder.split("/")[0] as string;

/** The layer table of docs/architecture.md, in order. */
function documentedLayers(): string[] {
  const doc = readFileSync(architectureDoc, "utf8");
  const block = doc.slice(doc.indexOf("<!-- layers:start -->"), doc.indexOf("<!-- layers:end -->"));
  return [...block.matchAll(/^\|\s*\d+\s*\|\s*`([a-z-]+)`\s*\|/gm)].map((m) => m[1] as string);
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function libraryEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of files(src)) {
    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      edges.push({ from: folderOf(file), to: folderOf(target), file: relative(src, file), specifier });
    }
  }
  return edges;
}

/** Imports against the layer order: into a later layer, or into an entry file. */
function layerViolations(edges: readonly Edge[], layers: readonly string[]): string[] {
  return edges
    .filter((e) => e.from !== "" && topOf(e.from) !== topOf(e.to))
    .filter((e) => e.to === "" || layers.indexOf(topOf(e.to)) > layers.indexOf(topOf(e.from)))
    .map((e) => `${e.file} imports ${e.specifier}`);
}

/** Cycles of the folder graph on full folder paths (depth-first search, back edges). */
function folderCycles(edges: readonly Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    // A folder and its own subfolders are one unit (a folder's files may share helpers with its
    // subfolders); edges between folders that are not nested must not form cycles.
    const nested = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
    if (e.from === "" || nested(e.from, e.to)) continue;
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)?.add(e.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "active");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "active") cycles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe("architecture", () => {
  const library = files(src);
  const layers = documentedLayers();
  const edges = libraryEdges();

  it("docs/architecture.md lists every folder of src exactly once", () => {
    const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory());
    expect(new Set(layers).size).toBe(layers.length);
    expect([...layers].sort()).toEqual(folders.sort());
  });

  it("every folder imports only from itself and earlier layers (type imports included)", () => {
    expect(layerViolations(edges, layers)).toEqual([]);
  });

  it("there are no cycles between folders at any depth", () => {
    // Full folder paths: backends/simplified → backends/histfactory is an edge too; a folder and
    // its own subfolders count as one.
    expect(folderCycles(edges)).toEqual([]);
  });

  it("the checks catch what they are meant to catch", () => {
    const edge = (from: string, to: string): Edge => ({ from, to, file: `${from}/x.ts`, specifier: to });
    expect(layerViolations([edge("inference", "model")], layers)).toHaveLength(1);
    expect(layerViolations([edge("core", "plots/x")], layers)).toHaveLength(1);
    expect(layerViolations([edge("model", "inference"), edge("plots", "core")], layers)).toEqual([]);
    expect(layerViolations([edge("backends/histfactory", "")], layers)).toHaveLength(1);
    expect(folderCycles([edge("backends/a", "backends/b"), edge("backends/b", "backends/a")])).toHaveLength(1);
    expect(folderCycles([edge("a", "b"), edge("b", "c"), edge("a", "c")])).toEqual([]);
    expect(folderCycles([edge("a/x", "a/y"), edge("a/y", "b"), edge("b", "a/x")])).toHaveLength(1);
    // Type-only imports are import statements like any other.
    expect(specifiers('import type { X } from "../model/x.js";\nexport type { Y } from "./y.js";')).toEqual([
      "../model/x.js",
      "./y.js",
    ]);
  });

  it("the library package has no static Node.js imports, so it bundles for browsers", () => {
    const offenders = library.filter((f) => specifiers(readFileSync(f, "utf8")).some((s) => s.startsWith("node:")));
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
    expect(library.filter((f) => /\brequire\(/.test(readFileSync(f, "utf8")))).toEqual([]);
  });

  it("comments cite papers and spey's functions, not a specification the repository does not hold", () => {
    const offenders = [...library, ...files(cliSrc)].filter((f) => /spec §|addendum §/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });

  it("library code throws only typed errors (SpeyError subclasses), never a bare Error, RangeError or TypeError", () => {
    const offenders = library.filter((f) =>
      /throw\s+(new\s+)?(Error|RangeError|TypeError)\(/.test(readFileSync(f, "utf8")),
    );
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });

  it("the entry files only re-export", () => {
    for (const entry of library.filter((f) => folderOf(f) === "")) {
      const text = readFileSync(entry, "utf8");
      const statements = text
        .split(/;\s*\n/)
        .map((s) => s.replace(/\/\/[^\n]*\n?/g, "").trim())
        .filter((s) => s.length > 0);
      for (const s of statements) expect(s, relative(src, entry)).toMatch(/^export /);
    }
  });

  it("the main entry does not pull in plots or file helpers", () => {
    const text = readFileSync(join(src, "index.ts"), "utf8");
    expect(text).not.toMatch(/\.\/(plots|io\/histfactory-files)/);
  });

  it("the library's production dependencies are pure JavaScript (no native addons, no install scripts)", () => {
    // The tree `npm ls --omit=dev` lists in packages/spey, resolved as Node does (nearest node_modules).
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    const seen = new Map<string, string>();
    const offenders: string[] = [];
    const visit = (name: string, from: string) => {
      let dir = from;
      let found: string | undefined;
      for (;;) {
        const candidate = join(dir, "node_modules", name);
        if (existsSync(join(candidate, "package.json"))) {
          found = candidate;
          break;
        }
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
      if (!found) throw new Error(`dependency ${name} of ${from} is not installed`);
      if (seen.has(found)) return;
      const pkg = JSON.parse(readFileSync(join(found, "package.json"), "utf8")) as {
        gypfile?: boolean;
        scripts?: Record<string, string>;
        dependencies?: Record<string, string>;
      };
      seen.set(found, name);
      const scripts = pkg.scripts ?? {};
      if (pkg.gypfile || scripts.install || scripts.preinstall || scripts.postinstall) offenders.push(name);
      if (existsSync(join(found, "binding.gyp")) || existsSync(join(found, "build/Release"))) offenders.push(name);
      for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, found);
    };
    const library = JSON.parse(readFileSync(join(root, "packages/spey/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(library.dependencies)) visit(dep, join(root, "packages/spey"));
    expect(seen.size).toBeGreaterThan(Object.keys(library.dependencies).length);
    expect(offenders).toEqual([]);
    // The CLI's packages stay out of the library (d3-dsv brings commander@7 for its own CLI).
    expect(Object.keys(library.dependencies).filter((n) => /commander|linkedom|resvg|bullmq|ioredis/.test(n))).toEqual(
      [],
    );
    expect([...seen.values()].filter((n) => /linkedom|resvg|bullmq|ioredis/.test(n))).toEqual([]);
  });

  it("the command line imports the library only through its public entries", () => {
    const offenders: string[] = [];
    for (const file of files(cliSrc)) {
      for (const s of specifiers(readFileSync(file, "utf8"))) {
        const inside = s.startsWith(".") && !resolve(dirname(file), s).startsWith(cliSrc);
        if (inside || /^spey\/(?!plots$|node$|histfactory$|testing$|io$)/.test(s))
          offenders.push(`${relative(cliSrc, file)}: ${s}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
