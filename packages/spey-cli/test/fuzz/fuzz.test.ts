/**
 * The CI slice of the fuzz suite (`npm run fuzz` runs ≥ 10,000 inputs per entry point): the first
 * 48 inputs of each of the 21 entry points (1,008 in all; seed 1), on the built packages in worker
 * threads with the 20 s watchdog. Every input must end in a result without NaN/undefined (∞ only
 * with a warning) or in a typed error: no untyped error, no hang.
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript module (the fuzz workers run it outside vitest)
import { formatSummary, runFuzz } from "./runner.mjs";

interface Summary {
  target: string;
  inputs: number;
  ok: number;
  typed: number;
  untyped: number;
  bad: number;
  hang: number;
  harness: number;
  examples: { kind: string; input: number; detail: string; argv?: string[] }[];
}

describe("fuzz slice", () => {
  it("1,008 inputs over every command, the backends and workspace loading: 0 untyped errors, 0 hangs, 0 NaN results", async () => {
    const summaries = (await runFuzz({ runs: 48, seed: 1, threads: 2 })) as Summary[];
    const failures = summaries.flatMap((s) => s.examples.map((e) => ({ target: s.target, ...e })));
    expect(failures, formatSummary(summaries)).toEqual([]);
    expect(summaries).toHaveLength(21);
    for (const s of summaries) {
      expect(s.inputs).toBe(48);
      expect(s.untyped + s.bad + s.hang + s.harness).toBe(0);
    }
    // The draws reach the computations, not only the input checks.
    expect(summaries.reduce((n, s) => n + s.ok, 0)).toBeGreaterThan(200);
  }, 600_000);
});
