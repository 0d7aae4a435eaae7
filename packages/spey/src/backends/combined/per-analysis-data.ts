// The data of a combination, per member analysis: a module of its own (no combiner code), so that
// the statistical model can recognise it without loading the combiners.
import type { NumericArray } from "../../plugin/types.js";

/** Data per analysis (name or position → that model's data vector); unlisted models use their own data. */
export type PerAnalysisDataRecord = Readonly<Record<string, NumericArray>>;

/**
 * Per-analysis data travelling through a `Float64Array`-typed data channel: an empty typed array
 * carrying the record, recognised by the combiners (`CombinerBase`). Build it with the combiner's
 * `perAnalysisData(record)` (the statistical model does this when `data` is a record).
 */
export class PerAnalysisData extends Float64Array {
  /** model position → that model's data */
  declare readonly perAnalysis: ReadonlyMap<number, Float64Array>;
  constructor(perAnalysis: ReadonlyMap<number, Float64Array>) {
    super(0);
    this.perAnalysis = perAnalysis;
  }
}

/** A backend that takes data per analysis (the combiners): builds the {@link PerAnalysisData} of a record. */
export interface PerAnalysisDataSink {
  perAnalysisData(record: PerAnalysisDataRecord): PerAnalysisData;
}

/** Whether `backend` takes data per analysis (a combiner), without importing the combiners. */
export function takesPerAnalysisData(backend: unknown): backend is PerAnalysisDataSink {
  return typeof (backend as Partial<PerAnalysisDataSink> | null)?.perAnalysisData === "function";
}
