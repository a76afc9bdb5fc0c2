import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { connectPostgres } from "@/db/client";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { benchDatabaseUrl, type BenchConfig } from "./config";

/** The production build the HTTP benchmarks serve, kept apart from `next dev`'s `.next`. */
const DIST_DIR = ".next-bench";
const root = path.resolve(import.meta.dirname, "..");

export interface BenchServer {
  base: string;
  /** A fresh API key of the bench database, sent as `Authorization: Bearer …`. */
  apiKey: string;
  stop(): Promise<void>;
}

async function healthy(base: string): Promise<boolean> {
  const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  return response?.ok ?? false;
}

/** Newest modification time among the files a build is made from (git's tracked files). */
function newestSourceMtime(): number {
  const files = execFileSync(
    "git",
    ["ls-files", "app", "components", "lib", "db", "auth.ts", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  return Math.max(
    ...files
      .split("\n")
      .filter(Boolean)
      .map((f) => statSync(path.join(root, f)).mtimeMs),
  );
}

/** Builds the app into DIST_DIR unless a build newer than every source file is already there. */
function ensureBuild(): void {
  const buildId = path.join(root, DIST_DIR, "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newestSourceMtime()) return;
  console.log(`  building the app into ${DIST_DIR} (next build; once per source change)…`);
  execFileSync("npx", ["next", "build"], { cwd: root, env: { ...process.env, NEXT_DIST_DIR: DIST_DIR }, stdio: ["ignore", "ignore", "inherit"] });
}

async function createBenchApiKey(config: BenchConfig): Promise<string> {
  if (config.BENCH_API_KEY) return config.BENCH_API_KEY;
  const handle = connectPostgres(benchDatabaseUrl(config), { max: 1 });
  try {
    return (await createApiKey(handle.db, { name: `bench-${Date.now()}`, scopes: API_SCOPES, rateLimitPerSecond: 100_000 })).key;
  } finally {
    await handle.close();
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server's whole process group (npx → next-server) and waits until it has gone, port freed. */
async function stopChild(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  if (!groupAlive(pgid)) return;
  process.kill(-pgid, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) process.kill(-pgid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The app served over HTTP on the bench database: the server already answering at BENCH_BASE_URL
 * if there is one, else a production build (`next build`, redone when a source file is newer)
 * started with `next start` on BENCH_BASE_URL's port, the bench database, Redis as the cache and
 * a pool of BENCH_CONCURRENCY connections; stopped again by `stop()`.
 */
export async function startBenchServer(config: BenchConfig): Promise<BenchServer> {
  const base = config.BENCH_BASE_URL;
  const apiKey = await createBenchApiKey(config);
  if (await healthy(base)) {
    console.log(`  using the server already answering at ${base}`);
    return { base, apiKey, stop: async () => {} };
  }
  ensureBuild();
  const port = new URL(base).port || "80";
  const child = spawn("npx", ["next", "start", "-p", port], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: DIST_DIR,
      DATABASE_URL: benchDatabaseUrl(config),
      REDIS_URL: config.REDIS_URL,
      DB_POOL_MAX: String(config.BENCH_CONCURRENCY),
      AUTH_SECRET: randomBytes(16).toString("hex"),
      LOG_LEVEL: "warn",
    },
  });
  const deadline = Date.now() + 60_000;
  while (!(await healthy(base))) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode} before answering at ${base}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`next start did not answer at ${base}/api/health within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`  started next start (${DIST_DIR}) at ${base}, pool of ${config.BENCH_CONCURRENCY}`);
  return { base, apiKey, stop: () => stopChild(child) };
}
