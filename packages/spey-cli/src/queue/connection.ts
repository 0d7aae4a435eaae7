import { readFileSync } from "node:fs";
import type { Redis, RedisOptions } from "ioredis";
import { SpeyError } from "spey";
import { ioredis } from "./cjs-packages.js";
import { QueueConnectionError, QueueInputError } from "./errors.js";

/** A parsed `redis://` or `rediss://` queue URL. */
export interface QueueAddress {
  /** The URL with the password replaced by `***` (for messages and logs). */
  readonly display: string;
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

const URL_HELP = "give redis://[user:password@]host[:port][/db] or rediss://… for TLS (e.g. redis://127.0.0.1:6379/0)";

/**
 * Parse a queue URL: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. User
 * name and password are percent-decoded (write `%40` for `@` in a password); the database is an
 * integer (default 0), the port defaults to 6379.
 */
export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueInputError(`--queue "${text}" is not a URL: ${URL_HELP}.`);
  }
  const display = redact(url);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new QueueInputError(`--queue ${display}: the scheme must be redis: or rediss: (TLS); ${URL_HELP}.`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new QueueInputError(`--queue ${display} names no host: ${URL_HELP}.`);
  if (url.search !== "" || url.hash !== "") {
    throw new QueueInputError(`--queue ${display}: query strings and fragments are not supported; ${URL_HELP}.`);
  }
  const port = url.port === "" ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, "");
  if (!/^\d{0,5}$/.test(path)) {
    throw new QueueInputError(`--queue ${display}: the path must be a database number (e.g. /0); got "/${path}".`);
  }
  const db = path === "" ? 0 : Number(path);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new QueueInputError(`--queue ${display}: the user name or password has a malformed %-escape.`);
    }
  };
  return {
    display,
    tls: url.protocol === "rediss:",
    host,
    port,
    db,
    username: url.username === "" ? undefined : decode(url.username),
    password: url.password === "" ? undefined : decode(url.password),
  };
}

function redact(url: URL): string {
  if (url.password === "") return url.href;
  const copy = new URL(url.href);
  copy.password = "***";
  return copy.href;
}

/** How a connection behaves once it is up. */
export interface ConnectOptions {
  /** PEM file of the certificate authority that signed the server's certificate (rediss://). */
  readonly tlsCa?: string | undefined;
  /**
   * true (workers, progress followers): commands wait through Redis restarts and reconnect for
   * ever; false (status, collect, enqueue): a command fails after a few reconnection attempts.
   */
  readonly persistent: boolean;
  /** CLIENT SETNAME of the connection (shows in `CLIENT LIST`). */
  readonly name?: string;
}

/** ioredis options for an address (shared by the first connection and BullMQ's duplicates). */
export function redisOptions(address: QueueAddress, options: ConnectOptions): RedisOptions {
  let tls: RedisOptions["tls"];
  if (address.tls) {
    let ca: Buffer | undefined;
    if (options.tlsCa) {
      try {
        ca = readFileSync(options.tlsCa);
      } catch (error) {
        throw new QueueInputError(`--tls-ca ${options.tlsCa} cannot be read: ${(error as Error).message}`);
      }
    }
    tls = { servername: address.host, ...(ca ? { ca } : {}) };
  } else if (options.tlsCa) {
    throw new QueueInputError(`--tls-ca is for TLS connections: use a rediss:// URL (got ${address.display}).`);
  }
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    ...(tls ? { tls } : {}),
    ...(options.name ? { connectionName: options.name } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: options.persistent ? null : 3,
    connectTimeout: 10_000,
  };
}

/**
 * Open a Redis connection and wait until it answers. The first connection must succeed within
 * about five attempts (~3 s, then {@link QueueConnectionError}); once it has, a lost connection is
 * re-established (every 0.2–2 s), so a Redis restart is ridden out.
 */
export async function connect(address: QueueAddress, options: ConnectOptions): Promise<Redis> {
  let ready = false;
  let lastError: Error | undefined;
  // ioredis is loaded here, not at import: commands that only parse a queue URL (a local `spey
  // batch`, which also registers --queue) do not pay for it at start-up.
  const { Redis } = ioredis();
  const redis = new Redis({
    ...redisOptions(address, options),
    retryStrategy: (times: number) => (!ready && times > 5 ? null : Math.min(200 * times, 2000)),
  });
  redis.on("error", (error: Error) => {
    lastError = error;
  });
  redis.once("ready", () => {
    ready = true;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = lastError?.message ?? (error as Error).message;
    throw new QueueConnectionError(`cannot reach Redis at ${address.display}: ${reason}`);
  }
  return redis;
}

/** Run a Redis call, turning connection failures into a {@link QueueConnectionError}. */
export async function redisCall<T>(address: QueueAddress, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SpeyError) throw error;
    throw new QueueConnectionError(`Redis at ${address.display} failed while ${what}: ${(error as Error).message}`);
  }
}
