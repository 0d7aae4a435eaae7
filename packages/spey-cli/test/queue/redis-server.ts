/**
 * A real redis-server for the queue tests (the Debian package; `.ci/run` installs it): started
 * on 127.0.0.1 with a free port and a temporary directory, append-only persistence (AOF) on, and
 * stopped by the test. Never a mock.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** redis://127.0.0.1:port/0 (plus credentials when `auth` was given). */
  readonly url: string;
  /** Start it again (same port, same directory: the AOF is loaded). */
  start(): Promise<void>;
  /** SHUTDOWN-like stop (SIGTERM): Redis writes its AOF and exits. */
  stop(): Promise<void>;
  /** SIGKILL: whatever was not yet written to the AOF is lost. */
  kill(): Promise<void>;
  /** Stop it and delete its directory. */
  remove(): Promise<void>;
}

/** Fail loudly (not skip) when redis-server is missing. */
export function requireRedisServer(): void {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error("redis-server is not installed: apt-get install -y redis-server (.ci/run installs it).");
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True once something answers a RESP PING on the port (+PONG, or an auth error). */
function answers(port: number, ca?: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = ca
      ? tlsConnect({ host: "127.0.0.1", port, ca, servername: "127.0.0.1" })
      : createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once(ca ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      const text = data.toString();
      resolve(text.startsWith("+PONG") || text.startsWith("-NOAUTH") || text.startsWith("-WRONGPASS"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Where the servers keep their append-only files: /dev/shm (memory) when there is one. The tests
 * kill processes, not the machine: what a SIGKILLed Redis had written (write(2), before its
 * reply) is in the kernel's page cache either way and comes back on restart; only the disk
 * flushes of `appendfsync always` (milliseconds per write on a disk, the run's bottleneck) are
 * saved.
 */
function dataRoot(): string {
  try {
    if (statSync("/dev/shm").isDirectory()) {
      accessSync("/dev/shm", constants.W_OK);
      return "/dev/shm";
    }
  } catch {
    // no /dev/shm: the temporary directory
  }
  return tmpdir();
}

export interface RedisOptions {
  /** Extra redis-server arguments (e.g. ACL users, TLS). */
  readonly args?: readonly string[];
  /** `user:password` to put in the URL. */
  readonly auth?: string;
  /**
   * Serve TLS only on the port (plain TCP off), with this certificate, key and CA (PEM paths);
   * readiness is then probed over TLS.
   */
  readonly tls?: { cert: string; key: string; ca: string };
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  requireRedisServer();
  const dir = mkdtempSync(join(dataRoot(), "spey-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const ca = options.tls ? readFileSync(options.tls.ca) : undefined;
  const launch = async () => {
    const args = [
      "--bind",
      "127.0.0.1",
      ...(options.tls
        ? [
            "--port",
            "0",
            "--tls-port",
            String(port),
            "--tls-cert-file",
            options.tls.cert,
            "--tls-key-file",
            options.tls.key,
            "--tls-ca-cert-file",
            options.tls.ca,
            "--tls-auth-clients",
            "no",
          ]
        : ["--port", String(port)]),
      "--dir",
      dir,
      "--appendonly",
      "yes",
      // Every acknowledged write is on disk: a SIGKILLed Redis comes back with all of them.
      "--appendfsync",
      "always",
      "--save",
      "",
      "--daemonize",
      "no",
      "--logfile",
      join(dir, "redis.log"),
      ...(options.args ?? []),
    ];
    const started = spawn("redis-server", args, { stdio: "ignore" });
    child = started;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (started.exitCode !== null)
        throw new Error(`redis-server exited with ${started.exitCode}; see ${dir}/redis.log`);
      if (await answers(port, ca)) break;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 20 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill(signal);
    await exited;
  };
  await launch();
  const credentials = options.auth ? `${options.auth}@` : "";
  return {
    port,
    dir,
    url: `${options.tls ? "rediss" : "redis"}://${credentials}127.0.0.1:${port}/0`,
    start: launch,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
    remove: async () => {
      await end("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
