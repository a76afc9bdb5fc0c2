import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sleep } from "./services";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Where the app and the worker run from: this tree, or a snapshot of HEAD (--from-head). */
let appRoot = ROOT;
export function setAppRoot(dir: string): void {
  appRoot = dir;
}
export function getAppRoot(): string {
  return appRoot;
}

/**
 * A child the run supervises. Each is the leader of a process group of its own (detached), so a
 * SIGKILL reaches it and whatever it started, and nothing else on the machine.
 */
export interface Supervised {
  child: ChildProcess;
  exited: Promise<void>;
  /** True once kill() was called: an exit before that is a crash. */
  readonly killed: boolean;
  kill(signal: NodeJS.Signals): Promise<void>;
}

function supervise(command: string, args: string[], env: Record<string, string>, onLine: (line: string) => void): Supervised {
  const child = spawn(command, args, { cwd: appRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let buffer = "";
  const collect = (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let killed = false;
  return {
    child,
    exited,
    get killed() {
      return killed;
    },
    async kill(signal) {
      killed = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
      await exited;
    },
  };
}

/** `next start` of the chaos build on its own port (node itself, no npm wrapper between). */
export function startApp(port: number, env: Record<string, string>, onLine: (line: string) => void): Supervised {
  const next = path.join(appRoot, "node_modules/next/dist/bin/next");
  return supervise(process.execPath, [next, "start", "-p", String(port), "-H", "127.0.0.1"], env, onLine);
}

/** Polls /api/health until the app and its database answer; resolves with the time it took. */
export async function waitHealthy(baseUrl: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${baseUrl} not healthy after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * `npm run worker` (scripts/worker.ts through tsx's loader in node itself, as
 * test/scale/stream-support.ts does: SIGKILL must hit the worker, not a wrapper). A short lease so
 * a restarted worker takes over its dead predecessor's shard within a second.
 */
export function startWorker(env: Record<string, string>, extraArgs: string[], onLine: (line: string) => void): Supervised {
  const args = [
    "--import",
    "tsx",
    "scripts/worker.ts",
    "--consumer",
    "chaos",
    "--block-ms",
    "200",
    "--lease-ms",
    "900",
    "--claim-idle-ms",
    "2000",
    ...extraArgs,
  ];
  return supervise(process.execPath, args, { ...env, LOG_LEVEL: "info" }, onLine);
}

/** The worker's "committed" log line (written after the database commit, before XACK), with its count. */
export function committedCount(line: string): number | undefined {
  if (!line.includes('"msg":"committed"')) return undefined;
  try {
    return Number((JSON.parse(line) as { count?: unknown }).count ?? 0);
  } catch {
    return undefined;
  }
}
