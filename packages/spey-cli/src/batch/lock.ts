import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { BatchInputError, fsErrorReason } from "./errors.js";

/** An exclusive lock on a results file: `<file>.lock` holding the owner's pid and host. */
export interface FileLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take the lock of `file` so that two batch runs never append to the same results file at once.
 * A lock left by a process that no longer exists on this host (a run killed with SIGKILL) is
 * taken over; a live owner, or one on another host (a shared file system), is an error naming it.
 */
export function lockResultsFile(file: string): FileLock {
  const path = `${file}.lock`;
  const me = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, me);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8") === me) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new BatchInputError(`cannot create the lock ${path}: ${fsErrorReason(error)}.`);
      }
    }
    let owner = "";
    try {
      owner = readFileSync(path, "utf8");
    } catch {
      continue; // released in the meantime: try again
    }
    const [pidText, host] = owner.trim().split(" ");
    const pid = Number(pidText);
    if (host === hostname() && Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      try {
        unlinkSync(path); // stale: its owner was killed
      } catch {
        // someone else removed it first
      }
      continue;
    }
    throw new BatchInputError(
      `${file} is being written by another spey batch run (process ${pidText} on ${host ?? "an unknown host"}; lock ${path}). Wait for it to finish, write to another --output, or delete the lock if that run is gone.`,
    );
  }
  throw new BatchInputError(`cannot take the lock ${path}: it keeps changing hands.`);
}
