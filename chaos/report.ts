import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "@/db/client";
import type { ClientStats, Op, OpKind } from "./clients";
import type { FaultRecord } from "./faults";
import { ROOT } from "./processes";
import { checkLedger, type Findings } from "./verify";

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface RunFacts {
  db: Db;
  run: string;
  stats: ClientStats;
  probes: Op[];
  outageAnswers: { status: number; retryAfter: string | null; error: unknown }[];
  faults: (FaultRecord & { pendingAtKill?: number; restAcksWhileDown?: number })[];
  settled: boolean;
  drained: boolean;
  deadLetters: number;
  short: boolean;
  buildMs: number;
  totalMs: number;
  pgVersion: string;
  /** App or worker exits that no fault caused. */
  crashes: string[];
  /** `npm run cli -- ledger verify` against the run's database: its exit code and last lines. */
  cliVerify: { status: number | null; output: string };
}

const KINDS: OpKind[] = ["event", "batch", "redemption", "stream"];
const LABEL: Record<OpKind, string> = {
  event: "single events (REST)",
  batch: "events in batches of 25 (REST)",
  redemption: "redemptions (REST)",
  stream: "events through the Redis stream",
};
const sample = (items: string[]) => (items.length === 0 ? undefined : `${items.length}: ${items.slice(0, 3).join("; ")}`);

export async function summarize(facts: RunFacts): Promise<{ checks: Check[]; figures: { text: string; markdown: string } }> {
  const { stats, faults } = facts;
  const findings: Findings = await checkLedger(facts.db, [...stats.ops, ...facts.probes], facts.run);
  const unexpected5xx = [...stats.answers].filter(([key]) => /\s5\d\d$/.test(key) && !key.endsWith(" 503"));
  const badOutage = facts.outageAnswers.filter((a) => a.status !== 503 || !a.retryAfter || a.error !== "service_unavailable");
  const unanswered = stats.ops.filter((op) => op.ackedAt === undefined).length;
  const workerKills = faults.filter((f) => f.kind === "worker-sigkill-after-commit");
  const redisStops = faults.filter((f) => f.kind === "redis-stop");
  const checks: Check[] = [
    { name: "every acknowledged operation is in the ledger (lost = 0)", ok: findings.lost.length === 0, detail: sample(findings.lost) },
    { name: "no reference in the ledger twice (doubled = 0)", ok: findings.doubled.length === 0, detail: sample(findings.doubled) },
    {
      name: "each ledger row has the points its answer gave; refusals and unanswered requests left no row",
      ok: findings.mismatched.length === 0,
      detail: sample(findings.mismatched),
    },
    {
      name: "verifyLedger(): cached balances, totals and lots equal the ledger",
      ok: findings.discrepancies === 0,
      detail: findings.discrepancies ? `${findings.discrepancies} discrepancies` : undefined,
    },
    { name: "`npm run cli -- ledger verify` exits 0", ok: facts.cliVerify.status === 0, detail: facts.cliVerify.output },
    {
      name: "every redemption's lot allocations add up to its points",
      ok: findings.badAllocations === 0,
      detail: findings.badAllocations ? `${findings.badAllocations} redemptions` : undefined,
    },
    {
      name: `every balance equals the sum of its acknowledged operations (${findings.balancesChecked} members)`,
      ok: findings.balanceMismatches.length === 0 && findings.balancesChecked > 0,
      detail: sample(findings.balanceMismatches),
    },
    { name: "no 5xx other than 503 was answered", ok: unexpected5xx.length === 0, detail: unexpected5xx.map(([k, n]) => `${k} x${n}`).join(", ") || undefined },
    {
      name: `while PostgreSQL was down every write route answered 503 service_unavailable with Retry-After (${facts.outageAnswers.length} requests)`,
      ok: facts.outageAnswers.length > 0 && badOutage.length === 0,
      detail: badOutage.length ? JSON.stringify(badOutage.slice(0, 3)) : undefined,
    },
    {
      name: "every client's operations were acknowledged after the faults (no manual help)",
      ok: facts.settled && unanswered === 0,
      detail: unanswered ? `${unanswered} unanswered` : undefined,
    },
    { name: "neither the app nor the worker crashed by itself", ok: facts.crashes.length === 0, detail: sample(facts.crashes) },
    { name: "the stream drained and nothing was dead-lettered", ok: facts.drained && facts.deadLetters === 0, detail: `dead letters ${facts.deadLetters}` },
    {
      name: "each worker kill left committed, unacknowledged entries (the kill point was hit)",
      ok: workerKills.length > 0 && workerKills.every((f) => (f.pendingAtKill ?? 0) > 0),
      detail: workerKills.map((f) => f.pendingAtKill).join(", "),
    },
    {
      name: "the REST API kept acknowledging while Redis was down",
      ok: redisStops.length > 0 && redisStops.every((f) => (f.restAcksWhileDown ?? 0) > 0),
      detail: redisStops.map((f) => f.restAcksWhileDown).join(", "),
    },
  ];
  return { checks, figures: figures(facts, findings) };
}

function figures(facts: RunFacts, findings: Findings): { text: string; markdown: string } {
  const { stats, faults } = facts;
  const cpu = os.cpus();
  const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version.slice(1)}, PostgreSQL ${facts.pgVersion}`;
  const date = new Date().toISOString().slice(0, 10);
  const byKind = KINDS.map((kind) => {
    const ops = stats.ops.filter((op) => op.kind === kind);
    const acked = ops.filter((op) => op.ackedAt !== undefined);
    const refused = acked.filter((op) => op.status! >= 300).length;
    const retried = ops.filter((op) => op.attempts > 1).length;
    return { kind, sent: ops.length, acked: acked.length, refused, retried };
  });
  const sent = byKind.reduce((n, k) => n + k.sent, 0);
  const acked = byKind.reduce((n, k) => n + k.acked, 0);
  const faultKinds = [...new Set(faults.map((f) => f.kind))];
  const recovery = (kind: string) => {
    const list = faults.filter((f) => f.kind === kind);
    return `${list.length} | ${list.map((f) => (f.downMs / 1000).toFixed(1)).join(", ")} | ${list.map((f) => (f.afterRestoreMs / 1000).toFixed(1)).join(", ")}`;
  };
  const answers = [...stats.answers]
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
  const run = facts.short ? "`npm run chaos -- --short`" : "`npm run chaos`";
  const markdown = [
    "## Faults",
    "",
    `${run} on ${date}, ${machine}; ${(facts.totalMs / 1000).toFixed(0)} s in all` +
      (facts.buildMs ? ` (of which ${(facts.buildMs / 1000).toFixed(0)} s \`next build\`)` : "") +
      ". Retrying clients (a retry reuses its reference; retried on a network error, 5xx or 429 until answered) against `next start` and `npm run worker`, each on a private PostgreSQL cluster and redis-server (append-only file, fsync always) that the run restarts; the shared servers are never touched.",
    "",
    "| operations | sent | acknowledged | of which refused (409) | retried at least once |",
    "|---|---|---|---|---|",
    ...byKind.map((k) => `| ${LABEL[k.kind]} | ${k.sent} | ${k.acked} | ${k.refused} | ${k.retried} |`),
    `| all | ${sent} | ${acked} | | |`,
    "",
    "| fault | injected | down until the next acknowledgement, s | of which after the restart, s |",
    "|---|---|---|---|",
    ...faultKinds.map((kind) => `| ${kind} | ${recovery(kind)} |`),
    "",
    `Lost **${findings.lost.length}**, doubled **${findings.doubled.length}**, rows differing from their answer ${findings.mismatched.length}, ` +
      `ledger discrepancies ${findings.discrepancies}, balances differing from the acknowledged operations ${findings.balanceMismatches.length} of ${findings.balancesChecked}. ` +
      `While PostgreSQL was down, ${facts.outageAnswers.length} probe writes were answered ${[...new Set(facts.outageAnswers.map((a) => `${a.status} ${a.error}`))].join(", ")} with Retry-After and left nothing. ` +
      `Worker kills left ${faults
        .filter((f) => f.pendingAtKill !== undefined)
        .map((f) => f.pendingAtKill)
        .join(" and ")} committed entries unacknowledged, replayed as duplicates. ` +
      `While Redis was down the REST API acknowledged ${faults
        .filter((f) => f.restAcksWhileDown !== undefined)
        .map((f) => f.restAcksWhileDown)
        .join(" and ")} operations (the cache fails open).`,
    "",
    `Answers seen: ${answers}.`,
    "",
  ].join("\n");
  const text = markdown.replace(/\*\*/g, "");
  return { text, markdown };
}

/** Replaces (or appends) the "## Faults" section of RELIABILITY.md; other sections are left as they are. */
export function writeReliabilitySection(markdown: string): void {
  const file = path.join(ROOT, "RELIABILITY.md");
  const current = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8")
    : "# Reliability\n\nMeasured figures of the ledger's proofs, each with its machine and date.\n\n";
  const start = current.search(/^## Faults\s*$/m);
  if (start === -1) {
    fs.writeFileSync(file, `${current.trimEnd()}\n\n${markdown}`);
    return;
  }
  const rest = current.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next === -1 ? current.length : start + 1 + next;
  fs.writeFileSync(file, `${current.slice(0, start)}${markdown}${next === -1 ? "" : `\n${current.slice(end)}`}`);
}
