/**
 * The members of a reference combination of spey-reference.json (the fixture of the Python
 * reference's combiner cases), built anew on each call: tests that count a member's fits or wrap
 * its preparations need members no other test has touched.
 */
import { readFileSync } from "node:fs";
import { getBackend } from "../../src/model/get-backend.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";

interface CombinerCase {
  id: string;
  kwargs: { models: { backend: string; analysis: string; kwargs: object }[] };
}

let cases: CombinerCase[] | undefined;

export function referenceMembers(id: string): StatisticalModel[] {
  cases ??= (
    JSON.parse(readFileSync(new URL("../fixtures/spey-reference.json", import.meta.url), "utf8")) as {
      cases: CombinerCase[];
    }
  ).cases;
  const entry = cases.find((c) => c.id === id);
  if (!entry) throw new Error(`reference case ${id} is missing`);
  return entry.kwargs.models.map((m) =>
    getBackend(m.backend)({ ...(m.kwargs as Record<string, unknown>), analysis: m.analysis }),
  );
}
