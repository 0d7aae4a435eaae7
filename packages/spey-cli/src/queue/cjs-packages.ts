import { createRequire } from "node:module";
import type * as BullMQ from "bullmq";
import type * as IORedis from "ioredis";

/**
 * bullmq and ioredis as Node loads them either way: their CommonJS builds (no "exports" map, "main"
 * is CommonJS; bullmq's "module" field is read by bundlers only), loaded here through `require`
 * rather than `import`. For an `import`, Node's ESM loader first scans every re-exporting CommonJS
 * file of bullmq for its export names (cjs-module-lexer), which costs about as much as loading the
 * packages (Node 20: ~270 ms CPU for both by `import`, ~130 ms by `require`), paid by every
 * `spey worker` and `--queue` command at start. The module objects are the same either way (both
 * go through Node's CommonJS cache).
 */
const requireCjs = createRequire(import.meta.url);

/** The bullmq package, loaded on first use. */
export function bullmq(): typeof BullMQ {
  return requireCjs("bullmq") as typeof BullMQ;
}

/** The ioredis package, loaded on first use. */
export function ioredis(): typeof IORedis {
  return requireCjs("ioredis") as typeof IORedis;
}
