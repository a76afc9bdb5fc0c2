import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";

/**
 * The chaos run's own PostgreSQL cluster and redis-server, in a temporary folder on ports of their
 * own: these are the ones it restarts and stops. The shared servers on 5432 and 6379 serve other
 * engineers and CI at the same time and are never touched.
 */
const run = promisify(execFile);
const PG_BIN = process.env.CHAOS_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root: as root, run them as the postgres user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

export interface OwnPostgres {
  port: number;
  url(database: string): string;
  start(): Promise<void>;
  /** `fast` ends sessions with admin_shutdown (57P01); `immediate` is a crash: recovery on the next start. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  destroy(): Promise<void>;
}

export async function createOwnPostgres(root: string, port: number): Promise<OwnPostgres> {
  const data = path.join(root, "pg");
  fs.mkdirSync(root, { recursive: true });
  if (process.getuid?.() === 0)
    fs.chownSync(root, Number((await run("id", ["-u", "postgres"])).stdout.trim()), Number((await run("id", ["-g", "postgres"])).stdout.trim()));
  await run(...asPostgres(`${PG_BIN}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]));
  const ctl = (args: string[]) => run(...asPostgres(`${PG_BIN}/pg_ctl`, ["-D", data, ...args]), { timeout: 60_000 });
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  let running = false;
  const self: OwnPostgres = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await ctl(["-o", options, "-l", path.join(root, "postgres.log"), "-w", "start"]);
      running = true;
    },
    async stop(mode) {
      await ctl(["-m", mode, "-w", "stop"]);
      running = false;
    },
    async destroy() {
      if (running) await self.stop("fast").catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return self;
}

export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  /** SIGTERM: redis-server flushes its append-only file and exits, as a service manager stops it. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A redis-server with an append-only file fsynced on every write: the event stream is the only copy
 * of an event the producer was told was accepted, so a Redis that forgets it on restart would lose
 * acknowledged events (a deployment of the stream needs the same persistence).
 */
export function createOwnRedis(root: string, port: number): OwnRedis {
  fs.mkdirSync(root, { recursive: true });
  let child: ChildProcess | undefined;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", root, "--save", "", "--appendonly", "yes", "--appendfsync", "always"];
  const self: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn("redis-server", args, { stdio: "ignore" });
      child = started;
      for (let attempt = 0; ; attempt++) {
        if (await canConnect(port)) return;
        if (started.exitCode !== null || attempt > 100) throw new Error(`redis-server on port ${port} did not start`);
        await sleep(50);
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGTERM");
      await exited;
    },
    async destroy() {
      await self.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return self;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
