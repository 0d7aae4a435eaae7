import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
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
 * `path` created exclusively with content `me`: by a hard link of `staging` where the file system
 * has them, else (no hard links, e.g. some network or FAT file systems) by an exclusive create
 * followed by the write.
 */
function createLock(staging: string, path: string, me: string): void {
  try {
    linkSync(staging, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS")) {
      throw error;
    }
    writeFileSync(path, me, { flag: "wx" });
  }
}

/**
 * Take the lock of `file` so that two batch runs never append to the same results file at once.
 * A lock left by a process that no longer exists on this host (a run killed with SIGKILL) is
 * taken over; a live owner, or one on another host (a shared file system), is an error naming it.
 * The lock appears with its content in one step (written to a private file, then hard-linked to
 * `<file>.lock`, which fails if the lock exists): a second run never reads a half-written lock.
 */
export function lockResultsFile(file: string): FileLock {
  const path = `${file}.lock`;
  const me = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const staging = `${path}.${process.pid}.${attempt}`;
    try {
      writeFileSync(staging, me);
      createLock(staging, path, me);
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
    } finally {
      try {
        unlinkSync(staging);
      } catch {
        // never written (e.g. the directory is not writable)
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
