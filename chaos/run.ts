import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { connectPostgres, queryRows } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { batchClient, eventClient, newStats, redemptionClient, streamClient, type ClientContext } from "./clients";
import { killApp, killWorkerAfterCommit, restartPostgres, spawnApp, spawnWorker, stopRedis, type FaultRecord, type System } from "./faults";
import { getAppRoot, ROOT, setAppRoot, waitHealthy } from "./processes";
import { summarize, writeReliabilitySection, type Check } from "./report";
import { createOwnPostgres, createOwnRedis, freePort, sleep } from "./services";

/**
 * `npm run chaos [-- --short] [--from-head] [--skip-build] [--no-report]`: load from retrying clients against the
 * built app and the stream worker while faults are injected (SIGKILL of the app, PostgreSQL
 * restarts, Redis stopped, the worker killed between commit and acknowledgement), then the ledger
 * is checked against every acknowledged answer. Everything runs on servers of its own (a private
 * PostgreSQL cluster and redis-server in a temporary folder, `next start` of `.next-chaos` on a
 * free port). The full run writes its figures into RELIABILITY.md ("Faults"); --short is CI's.
 */
const { values: args } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    "no-report": { type: "boolean", default: false },
    // Build and run the last commit (a `git archive HEAD` snapshot) rather than this working tree,
    // whose other files may be half-edited by someone else.
    "from-head": { type: "boolean", default: false },
  },
});
const DIST_DIR = ".next-chaos";
const short = args.short;
const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** A snapshot of HEAD beside this tree's node_modules; kept between runs, rebuilt when HEAD moved. */
function snapshotHead(): string {
  const dir = path.join(os.tmpdir(), "loyalty-chaos-src");
  const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT }).toString().trim();
  const marker = path.join(dir, ".chaos-head");
  if (fs.existsSync(marker) && (fs.readFileSync(marker, "utf8") === head || args["skip-build"])) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive HEAD | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  // Hard links (one filesystem): Turbopack refuses a node_modules symlinked from outside its root.
  execFileSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(dir, "node_modules")]);
  fs.writeFileSync(marker, head);
  log(`snapshot of HEAD ${head.slice(0, 7)} in ${dir}`);
  return dir;
}

/** The build is reused when it is newer than every file it is made of. */
function buildIsFresh(): boolean {
  const buildId = path.join(getAppRoot(), DIST_DIR, "BUILD_ID");
  if (!fs.existsSync(buildId)) return false;
  if (getAppRoot() !== ROOT) return true; // a snapshot is rebuilt whenever HEAD moves
  const builtAt = fs.statSync(buildId).mtimeMs;
  const sources = ["app", "lib", "db", "components", "drizzle", "auth.ts", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"];
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", ...sources], { cwd: ROOT })
    .toString()
    .split("\n")
    .filter(Boolean);
  return files.every((file) => !fs.existsSync(path.join(ROOT, file)) || fs.statSync(path.join(ROOT, file)).mtimeMs < builtAt);
}

function build(tmp: string): number {
  if (args["skip-build"] || buildIsFresh()) {
    log(`reusing the build in ${DIST_DIR}`);
    return 0;
  }
  log(`next build into ${DIST_DIR}`);
  const started = Date.now();
  const logFile = path.join(tmp, "build.log");
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: getAppRoot(),
    env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", fs.openSync(logFile, "w"), fs.openSync(logFile, "a")],
  });
  if (result.status !== 0) {
    console.error(fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n"));
    throw new Error("next build failed");
  }
  return Date.now() - started;
}

async function main(): Promise<number> {
  const runStarted = Date.now();
  const run = `chaos${runStarted.toString(36)}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "loyalty-chaos-"));
  fs.chmodSync(tmp, 0o755); // the postgres user must reach its cluster inside
  if (args["from-head"]) setAppRoot(snapshotHead());
  let buildMs: number;
  try {
    buildMs = build(tmp);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }

  const [pgPort, redisPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const pg = await createOwnPostgres(path.join(tmp, "postgres"), pgPort);
  const redis = createOwnRedis(path.join(tmp, "redis"), redisPort);
  const cleanups: (() => Promise<unknown>)[] = [() => pg.destroy(), () => redis.destroy()];
  let sys: System | undefined;
  const cleanup = async () => {
    if (sys) sys.stopping = true;
    await sys?.app.kill("SIGKILL");
    await sys?.worker.kill("SIGKILL");
    sys?.admin.disconnect();
    for (const step of cleanups.reverse()) await step().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    await pg.start();
    await redis.start();
    const admin = connectPostgres(pg.url("postgres"), { max: 1 });
    await admin.db.execute(sql.raw(`CREATE DATABASE loyalty_chaos`));
    const pgVersion = (await queryRows<{ v: string }>(admin.db, sql`SELECT current_setting('server_version') AS v`))[0]!.v;
    await admin.close();
    const setup = connectPostgres(pg.url("loyalty_chaos"), { max: 4 });
    await migrateDatabase(setup, path.join(getAppRoot(), "drizzle"));
    const { key } = await createApiKey(setup.db, { name: "chaos", scopes: API_SCOPES, rateLimitPerSecond: 100_000 });
    const members = Array.from({ length: 40 }, (_, i) => `${run}-m${i}`);
    for (const externalId of [...members, `${run}-probe`]) await ensureMember(setup.db, { externalId });
    await setup.close();

    const env = {
      NODE_ENV: "production",
      DATABASE_URL: pg.url("loyalty_chaos"),
      REDIS_URL: redis.url,
      EVENT_STREAM_SHARDS: "1",
      NEXT_DIST_DIR: DIST_DIR,
      AUTH_SECRET: "chaos-secret-0123456789abcdef0123456789abcdef",
      AUTH_URL: `http://localhost:${appPort}`,
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    };
    const adminRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    adminRedis.on("error", () => {});
    sys = {
      baseUrl: `http://127.0.0.1:${appPort}`,
      appPort,
      key,
      run,
      probeMember: `${run}-probe`,
      env,
      pg,
      redis,
      admin: adminRedis,
      stats: newStats(),
      startedAt: 0,
      app: undefined as never,
      worker: undefined as never,
      workerLines: [],
      appErrors: new Map(),
      stopping: false,
      crashes: [],
      log,
      probes: [],
      outageAnswers: [],
    };
    sys.app = spawnApp(sys);
    await waitHealthy(sys.baseUrl);
    sys.worker = spawnWorker(sys);
    log(`app on ${sys.baseUrl}, PostgreSQL ${pgVersion} on ${pgPort}, Redis on ${redisPort}; load starts`);

    // The producer's own connection fails fast while Redis is down (no offline queue), so it retries.
    const producer = new Redis(redis.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 200 });
    producer.on("error", () => {});
    cleanups.push(async () => producer.disconnect());
    const stop = new AbortController();
    const ctx: ClientContext = { baseUrl: sys.baseUrl, key, run, members, stats: sys.stats, stop: stop.signal };
    sys.startedAt = Date.now();
    const clients = [
      ...[0, 1, 2, 3].map((i) => eventClient(ctx, i)),
      batchClient(ctx, 0, 25),
      ...[0, 1].map((i) => redemptionClient(ctx, i)),
      streamClient(ctx, producer, 10),
    ];

    const gapMs = short ? 3_000 : 8_000;
    const downMs = short ? 2_000 : 4_000;
    const plan: (() => Promise<FaultRecord>)[] = short
      ? [() => killApp(sys!), () => restartPostgres(sys!, "fast", 1, downMs), () => stopRedis(sys!, downMs), () => killWorkerAfterCommit(sys!)]
      : [
          () => killApp(sys!),
          () => restartPostgres(sys!, "fast", 1, downMs),
          () => stopRedis(sys!, downMs),
          () => killWorkerAfterCommit(sys!),
          () => killApp(sys!),
          () => restartPostgres(sys!, "immediate", 2, downMs),
          () => killWorkerAfterCommit(sys!),
          () => stopRedis(sys!, downMs),
          () => killApp(sys!),
        ];
    const faults: (FaultRecord & { pendingAtKill?: number; restAcksWhileDown?: number })[] = [];
    await sleep(gapMs);
    for (const inject of plan) {
      const record = await inject();
      faults.push(record);
      log(`${record.kind}: ${record.detail}; answered again after ${record.downMs} ms (${record.afterRestoreMs} ms after the restart)`);
      await sleep(gapMs);
    }
    stop.abort();
    const settled = await Promise.race([Promise.all(clients).then(() => true), sleep(90_000).then(() => false)]);
    log(settled ? "clients finished their last operations" : "clients still retrying after 90 s");

    // The worker applies what the stream acknowledged: wait for every acknowledged event and an empty pending list.
    const streamed = sys.stats.ops.filter((op) => op.kind === "stream" && op.ackedAt !== undefined).length;
    const check = connectPostgres(pg.url("loyalty_chaos"), { max: 2 });
    cleanups.push(() => check.close());
    const drainStarted = Date.now();
    let drained = false;
    while (!drained && Date.now() - drainStarted < 90_000) {
      const [row] = await queryRows<{ n: number }>(
        check.db,
        sql`SELECT count(*)::int AS n FROM point_transactions WHERE reference_type = 'purchase' AND reference_id LIKE ${`${run}-x-%`}`,
      );
      const [pending] = (await adminRedis.xpending("loyalty:events", "accrual")) as [number, ...unknown[]];
      drained = (row?.n ?? 0) >= streamed && Number(pending) === 0;
      if (!drained) await sleep(250);
    }
    log(drained ? `stream drained in ${Date.now() - drainStarted} ms` : "stream not drained after 90 s");
    const [deadLetters] = await queryRows<{ n: number }>(check.db, sql`SELECT count(*)::int AS n FROM dead_letter_events`).catch(() => [{ n: -1 }]);

    // The operator's own check, as the README gives it: exit code 0 when every balance equals the ledger.
    const cliVerify = spawnSync(process.execPath, ["--import", "tsx", "scripts/cli.ts", "ledger", "verify"], {
      cwd: getAppRoot(),
      env: { ...process.env, ...env, LOG_LEVEL: "warn" } as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 120_000,
    });

    const { checks, figures } = await summarize({
      db: check.db,
      run,
      stats: sys.stats,
      probes: sys.probes,
      outageAnswers: sys.outageAnswers,
      faults,
      settled,
      drained,
      deadLetters: deadLetters?.n ?? -1,
      short,
      buildMs,
      totalMs: Date.now() - runStarted,
      pgVersion,
      crashes: sys.crashes,
      cliVerify: { status: cliVerify.status, output: `${cliVerify.stdout}${cliVerify.stderr}`.trim().split("\n").slice(-3).join(" / ") },
    });
    const failed = checks.filter((c) => !c.ok);
    for (const c of checks) console.log(`${c.ok ? "  ok  " : "  FAIL"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    console.log(figures.text);
    if (!short && !args["no-report"]) {
      writeReliabilitySection(figures.markdown);
      log("figures written to RELIABILITY.md (Faults)");
    }
    writeCounts(checks);
    console.log(`chaos: ${checks.length - failed.length} passed, ${failed.length} failed`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

/** For test/run-all.mjs: the checks as counts, like the other suites' reports. */
function writeCounts(checks: Check[]): void {
  const file = process.env.CHAOS_JSON_OUTPUT;
  if (!file) return;
  fs.writeFileSync(file, JSON.stringify({ passed: checks.filter((c) => c.ok).length, failed: checks.filter((c) => !c.ok).length, checks }));
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
