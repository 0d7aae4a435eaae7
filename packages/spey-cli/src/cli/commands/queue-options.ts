/**
 * Option parsers and option sets shared by the queue commands and `spey batch --queue`. Kept apart
 * from the commands so that `spey batch` can register its queue options without loading BullMQ
 * and ioredis (they are loaded only when a queue is used).
 */
import { type Command, InvalidArgumentError } from "commander";
import type { RunLocation } from "../../queue/client.js";
import { parseQueueUrl, type QueueAddress } from "../../queue/connection.js";
import { checkRunName, DEFAULT_RUN } from "../../queue/run.js";

/** Option parser of --queue. */
export function queueUrl(value: string): QueueAddress {
  try {
    return parseQueueUrl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Option parser of --run. */
export function runName(value: string): string {
  try {
    return checkRunName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export interface QueueCommandOptions {
  readonly queue: QueueAddress;
  readonly run: string;
  readonly tlsCa?: string;
}

/** The options naming a run: --run and --tls-ca (--queue is added by each command). */
export function withRunOptions<C extends Command>(command: C): C {
  command
    .option(
      "--run <name>",
      "name of the run (its keys are spey:<name>:*; one grid and one set of options per run)",
      runName,
      DEFAULT_RUN,
    )
    .option("--tls-ca <file>", "certificate authority (PEM) of a rediss:// server with a private certificate");
  return command;
}

export function location(options: QueueCommandOptions): RunLocation {
  return { address: options.queue, run: options.run, tlsCa: options.tlsCa };
}
