import { realpathSync } from "node:fs";
import { resolve } from "node:path";

/** The real path of a file (or of the path it would have when it does not exist yet). */
export function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
