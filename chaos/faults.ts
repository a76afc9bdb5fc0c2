import type { Redis } from "ioredis";
import type { ClientStats, Op, OpKind } from "./clients";
import { committedCount, startApp, startWorker, waitHealthy, type Supervised } from "./processes";
import { sleep, type OwnPostgres, type OwnRedis } from "./services";

/**
 * The faults, each injected into the running system while the clients keep sending, and how long
 * the system took to answer again by itself. `downMs` runs from the fault to the first operation
 * acknowledged after it; `afterRestoreMs` from the moment the dead part was back (the app or worker
 * respawned, the server started) to that first acknowledgement.
 */
export type FaultKind = "app-sigkill" | "postgres-restart" | "redis-stop" | "worker-sigkill-after-commit";

export interface FaultRecord {
  kind: FaultKind;
  detail: string;
  atMs: number;
  downMs: number;
  afterRestoreMs: number;
}

export interface System {
  baseUrl: string;
  appPort: number;
  key: string;
  /** Prefix of every reference and member of this run. */
  run: string;
  /** A member that only the outage probes write to (so its balance must stay 0). */
  probeMember: string;
  env: Record<string, string>;
  pg: OwnPostgres;
  redis: OwnRedis;
  admin: Redis;
  stats: ClientStats;
  startedAt: number;
  app: Supervised;
  worker: Supervised;
  /** Lines of the current worker go here too, so a fault can wait for one. */
  workerLines: ((line: string) => void)[];
  /** Set once the run is over: exits after it are expected. */
  stopping: boolean;
  /** App or worker exits nobody asked for. */
  crashes: string[];
  /** Error lines of the app, by their shape without numbers: how many times each was seen. */
  appErrors: Map<string, number>;
  log(message: string): void;
  /** Operations that got no answer (the 503 probes), checked as never applied. */
  probes: Op[];
  /** Every probe answer during a PostgreSQL outage: status, Retry-After and error code. */
  outageAnswers: { status: number; retryAfter: string | null; error: unknown }[];
}

const REST: OpKind[] = ["event", "batch", "redemption"];

/** Resolves with the time of the first acknowledgement of one of `kinds` after `since`. */
async function firstAckAfter(sys: System, kinds: OpKind[], since: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = Math.max(...kinds.map((k) => sys.stats.lastAck[k]));
    if (at > since) return at;
    if (Date.now() > deadline) throw new Error(`no ${kinds.join("/")} acknowledged within ${timeoutMs} ms after a fault`);
    await sleep(20);
  }
}

function onWorkerLine(sys: System): (line: string) => void {
  return (line) => {
    // A fatal line, or Node's own report of an uncaught exception, says why a worker crashed.
    if (line.includes('"level":60') || (!line.startsWith("{") && /Error|uncaught/.test(line))) sys.log(`worker: ${line.slice(0, 400)}`);
    for (const listener of sys.workerLines) listener(line);
  };
}

/**
 * A process that dies without being killed by a fault has crashed: it is counted (the run fails on
 * any) and respawned, as a service manager would, so the run goes on to its checks.
 */
function respawnOnCrash(sys: System, process: Supervised, name: "app" | "worker", respawn: () => Supervised): Supervised {
  void process.exited.then(() => {
    if (process.killed || sys.stopping) return;
    sys.crashes.push(`${name} exited by itself (code ${process.child.exitCode}, signal ${process.child.signalCode})`);
    sys.log(`${name} crashed: respawned`);
    if (name === "app") sys.app = respawn();
    else sys.worker = respawn();
  });
  return process;
}

export function spawnWorker(sys: System, extraArgs: string[] = []): Supervised {
  const spawn = (): Supervised => respawnOnCrash(sys, startWorker(sys.env, extraArgs, onWorkerLine(sys)), "worker", spawn);
  return spawn();
}

export function spawnApp(sys: System): Supervised {
  return respawnOnCrash(sys, startAppLogged(sys), "app", () => spawnApp(sys));
}

/** Errors only (pino level 50+, or Next.js's own non-JSON error output), each kind of line a few times. */
function startAppLogged(sys: System): Supervised {
  let stackLines = 0;
  return startApp(sys.appPort, sys.env, (line) => {
    if (stackLines > 0) {
      stackLines--;
      sys.log(`app:   ${line.slice(0, 300)}`);
      return;
    }
    const error = line.includes('"level":50') || line.includes('"level":60') || (!line.startsWith("{") && /error/i.test(line));
    if (!error) return;
    const key = line.replace(/[0-9]+/g, "").slice(0, 80);
    const seen = sys.appErrors.get(key) ?? 0;
    sys.appErrors.set(key, seen + 1);
    if (seen < 3) sys.log(`app: ${line.slice(0, 400)}`);
    if (seen === 0) stackLines = 12; // the first time, its stack too
  });
}

/** Waits for a worker log line with a committed count > 0 after now; resolves with its time. */
function nextCommit(sys: System, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sys.workerLines.splice(sys.workerLines.indexOf(listener), 1);
      reject(new Error("the worker committed nothing in time"));
    }, timeoutMs);
    const listener = (line: string) => {
      if ((committedCount(line) ?? 0) > 0) {
        clearTimeout(timer);
        sys.workerLines.splice(sys.workerLines.indexOf(listener), 1);
        resolve(Date.now());
      }
    };
    sys.workerLines.push(listener);
  });
}

export async function killApp(sys: System): Promise<FaultRecord> {
  const at = Date.now();
  await sys.app.kill("SIGKILL");
  sys.app = spawnApp(sys);
  const restored = Date.now();
  await waitHealthy(sys.baseUrl);
  const acked = await firstAckAfter(sys, REST, restored);
  return {
    kind: "app-sigkill",
    detail: "next start killed with SIGKILL, respawned",
    atMs: at - sys.startedAt,
    downMs: acked - at,
    afterRestoreMs: acked - restored,
  };
}

/** Sends one request of each write route while PostgreSQL is down; none may be applied. */
async function probeOutage(sys: System, n: number): Promise<void> {
  const member = sys.probeMember;
  const requests: { op: Op; url: string }[] = [
    { op: { kind: "event", ref: `${sys.run}-p${n}-e`, member, attempts: 1 }, url: "/api/v1/events" },
    { op: { kind: "batch", ref: `${sys.run}-p${n}-b`, member, attempts: 1 }, url: "/api/v1/events/batch" },
    { op: { kind: "redemption", ref: `${sys.run}-p${n}-r`, member, attempts: 1 }, url: `/api/v1/members/${member}/redemptions` },
  ];
  for (const { op, url } of requests) {
    const event = { type: "purchase", memberExternalId: member, referenceId: op.ref, amountCents: 5_000 };
    const body = op.kind === "event" ? event : op.kind === "batch" ? { events: [event] } : { points: 1, referenceId: op.ref };
    sys.probes.push(op);
    try {
      const response = await fetch(`${sys.baseUrl}${url}`, {
        method: "POST",
        headers: { authorization: `Bearer ${sys.key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json().catch(() => ({}))) as { error?: unknown };
      sys.outageAnswers.push({ status: response.status, retryAfter: response.headers.get("retry-after"), error: answer.error });
    } catch (error) {
      sys.outageAnswers.push({ status: 0, retryAfter: null, error: String(error) });
    }
  }
}

export async function restartPostgres(sys: System, mode: "fast" | "immediate", n: number, downForMs: number): Promise<FaultRecord> {
  const at = Date.now();
  await sys.pg.stop(mode);
  await sleep(300);
  await probeOutage(sys, n);
  await sleep(Math.max(0, downForMs - (Date.now() - at)));
  await sys.pg.start();
  const restored = Date.now();
  const acked = await firstAckAfter(sys, REST, restored);
  const detail =
    mode === "fast" ? "pg_ctl stop -m fast (sessions end with admin_shutdown), start" : "pg_ctl stop -m immediate (a crash: recovery on start), start";
  return { kind: "postgres-restart", detail, atMs: at - sys.startedAt, downMs: acked - at, afterRestoreMs: acked - restored };
}

/** Redis stopped: the REST API must keep acknowledging (the cache fails open); the stream resumes after. */
export async function stopRedis(sys: System, downForMs: number): Promise<FaultRecord & { restAcksWhileDown: number }> {
  const at = Date.now();
  await sys.redis.stop();
  const before = sys.stats.ops.filter((op) => op.ackedAt !== undefined && REST.includes(op.kind)).length;
  await sleep(downForMs);
  const restAcksWhileDown = sys.stats.ops.filter((op) => op.ackedAt !== undefined && REST.includes(op.kind)).length - before;
  await sys.redis.start();
  const restored = Date.now();
  const committed = nextCommit(sys);
  const acked = await firstAckAfter(sys, ["stream"], restored);
  const applied = await committed;
  const recovered = Math.max(acked, applied);
  return {
    kind: "redis-stop",
    detail: `redis-server stopped (SIGTERM) for ${downForMs} ms, started; ${restAcksWhileDown} REST operations acknowledged meanwhile`,
    atMs: at - sys.startedAt,
    downMs: recovered - at,
    afterRestoreMs: recovered - restored,
    restAcksWhileDown,
  };
}

/**
 * The stream worker killed between its database commit and its XACK: the running worker is stopped
 * cleanly, one started with --pause-after-commit-ms (the kill point of test/scale/stream-crash.test.ts)
 * takes the shard, and is killed with SIGKILL as soon as it logs a commit. Its batch is committed and
 * still pending in Redis; a fresh worker must take the shard over and replay it as duplicates.
 */
export async function killWorkerAfterCommit(sys: System): Promise<FaultRecord & { pendingAtKill: number }> {
  await sys.worker.kill("SIGTERM");
  const trapCommitted = nextCommit(sys);
  sys.worker = spawnWorker(sys, ["--pause-after-commit-ms", "120000"]);
  await trapCommitted;
  const at = Date.now();
  await sys.worker.kill("SIGKILL");
  const [pending] = (await sys.admin.xpending("loyalty:events", "accrual")) as [number, ...unknown[]];
  const committed = nextCommit(sys);
  sys.worker = spawnWorker(sys);
  const restored = Date.now();
  const recovered = await committed;
  return {
    kind: "worker-sigkill-after-commit",
    detail: `worker killed with SIGKILL after its commit, ${pending} entries committed and unacknowledged; respawned`,
    atMs: at - sys.startedAt,
    downMs: recovered - at,
    afterRestoreMs: recovered - restored,
    pendingAtKill: Number(pending),
  };
}
