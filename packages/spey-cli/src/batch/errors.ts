import { ComputationError, InvalidInput } from "spey";

/** A grid, base-model or results file that cannot be used as it is (CLI exit code 2). */
export class BatchInputError extends InvalidInput {
  override name = "BatchInputError";
}

/** Merged results that miss points or disagree with each other (CLI exit code 1). */
export class IncompleteResults extends ComputationError {
  override name = "IncompleteResults";
}

/**
 * Why a file operation failed, in words: "no such file", "it is a directory", "permission
 * denied"… instead of the raw `ENOENT: no such file or directory, open '…'` text.
 */
export function fsErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EISDIR":
      return "it is a directory, not a file";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EMFILE":
    case "ENFILE":
      return "too many open files";
    case "ENOSPC":
      return "no space left on the device";
    case "EROFS":
      return "the file system is read-only";
    case "EEXIST":
      return "it already exists";
    case "ENAMETOOLONG":
      return "the file name is too long";
    default:
      return code ? `${code}` : ((error as Error)?.message ?? "unknown error");
  }
}
