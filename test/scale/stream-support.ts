import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function testRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

let counter = 0;
export function uniqueStream(): string {
  return `test:events:${process.pid}:${Date.now()}:${counter++}`;
}

export async function pendingCount(redis: Redis, stream: string, group = "accrual"): Promise<number> {
  const [count] = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(count);
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `npm run worker` as a real child process, with its log lines collected. */
export function spawnWorker(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; lines: string[]; exited: Promise<void> } {
  const root = path.resolve(import.meta.dirname, "../..");
  // node itself with tsx as a loader (not the tsx CLI, which would be a wrapper process): SIGKILL
  // must hit the worker, not a parent that leaves it running.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, LOG_LEVEL: "info", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  const collect = (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, lines, exited };
}
