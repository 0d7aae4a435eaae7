/**
 * Typed errors of the HistFactory (pyhf JSON) backend. Every error about a document names the
 * JSON path of the fault, e.g. `channels[0].samples[1].modifiers[2].data: expected {hi, lo}`.
 * All of them are {@link InvalidInput}s, so the CLI reports them as bad input.
 */
import { InvalidInput } from "../../core/errors.js";
import { stringify } from "../../core/describe.js";

/** A location inside a JSON document: object keys and array indices from the root. */
export type JsonPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Human-readable form of a path: `channels[0].samples[1].data`; keys that are not identifiers are
 * quoted (`config["my key"]`). The empty path is the document itself.
 */
export function formatJsonPath(path: JsonPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${stringify(part)}]`;
  }
  return out;
}

/** A malformed workspace, measurement, patch set or model specification. */
export class WorkspaceError extends InvalidInput {
  override name = "WorkspaceError";
  /** Where in the document the fault is (`formatJsonPath` form; "" for the document itself). */
  declare readonly jsonPath: string;
  /** The message without the path. */
  declare readonly detail: string;

  constructor(path: JsonPath | string, message: string) {
    const where = typeof path === "string" ? path : formatJsonPath(path);
    super(where === "" ? message : `${where}: ${message}`);
    this.jsonPath = where;
    this.detail = message;
  }
}

/** A JSON Patch (RFC 6902) that is malformed or cannot be applied to its document. */
export class JsonPatchError extends InvalidInput {
  override name = "JsonPatchError";
  /** Index of the failing operation in the patch (−1 when the patch itself is malformed). */
  declare readonly operationIndex: number;

  constructor(operationIndex: number, message: string) {
    super(message);
    this.operationIndex = operationIndex;
  }
}

/** A workspace whose digest does not match the one a patch set was made for. */
export class PatchSetVerificationError extends InvalidInput {
  override name = "PatchSetVerificationError";
}

/** A prune / rename / combine request that the workspace cannot satisfy. */
export class InvalidWorkspaceOperation extends InvalidInput {
  override name = "InvalidWorkspaceOperation";
}
