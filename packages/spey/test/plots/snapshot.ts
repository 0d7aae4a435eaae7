import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "__snapshots__");

/**
 * Compare SVG text with `test/plots/__snapshots__/<name>`. A missing snapshot is written (and the
 * test passes) unless `CI=true`, where it is an error. On a mismatch the message shows the first
 * differing line; delete the file to accept a deliberate change.
 */
export function expectSvgSnapshot(name: string, svg: string): void {
  const path = join(DIRECTORY, name);
  if (!existsSync(path)) {
    if (process.env.CI === "true") throw new Error(`missing snapshot ${path} (snapshots are not written when CI=true)`);
    mkdirSync(DIRECTORY, { recursive: true });
    writeFileSync(path, svg);
    return;
  }
  const expected = readFileSync(path, "utf8");
  if (svg === expected) return;
  const a = expected.split(/(?=<)/);
  const b = svg.split(/(?=<)/);
  const i = a.findIndex((part, k) => part !== b[k]);
  expect.fail(
    `${name} differs from its snapshot at element ${i}:\n  snapshot: ${a[i]?.slice(0, 300)}\n  now:      ${b[i]?.slice(0, 300)}\n(delete ${path} to accept the new output)`,
  );
}
