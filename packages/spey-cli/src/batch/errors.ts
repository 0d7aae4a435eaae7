import { ComputationError, InvalidInput } from "spey";

/** A grid, base-model or results file that cannot be used as it is (CLI exit code 2). */
export class BatchInputError extends InvalidInput {
  override name = "BatchInputError";
}

/** Merged results that miss points or disagree with each other (CLI exit code 1). */
export class IncompleteResults extends ComputationError {
  override name = "IncompleteResults";
}
