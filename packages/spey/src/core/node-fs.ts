import { InvalidInput } from "./errors.js";

/** The parts of Node's `fs` the library uses to read user files. */
interface NodeFs {
  readFileSync(path: string, encoding: "utf8"): string;
  existsSync(path: string): boolean;
}

/**
 * Node's file system, obtained at call time (`process.getBuiltinModule`) so that the library has
 * no static `node:` import and bundles for browsers; there, reading a file path is an error
 * naming the fix (pass the parsed JSON object instead).
 */
export function nodeFs(what: string): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
  if (!fs) {
    throw new InvalidInput(
      `${what}: reading files needs Node.js; in a browser pass the parsed JSON object instead of a path.`,
    );
  }
  return fs;
}
