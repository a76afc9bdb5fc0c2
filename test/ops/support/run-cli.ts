import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a child: this one's, minus the database choice, plus what the test sets. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.PGLITE_DIR;
  delete env.SMTP_URL;
  return { ...env, ...extra };
}

/** `npm run cli -- …` as a real second process (tsx, as the npm script runs it). */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(TSX, ["scripts/cli.ts", ...args], { cwd: ROOT, env: childEnv(env), timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A process that opens the embedded database and keeps it open, as `next dev` does. Plain node with
 * tsx's loader (not the tsx wrapper), so the child's pid is the lock holder's and signals reach it.
 */
export async function holdEmbedded(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/ops/support/hold-embedded.ts", dir], {
    cwd: ROOT,
    env: childEnv({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`ready ${child.pid}`)) resolve();
    });
    child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`holder exited (${code}): ${out}`)));
  });
  return child;
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
