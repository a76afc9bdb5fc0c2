import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { expirePoints } from "@/lib/loyalty/jobs/expire-points";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { fmt } from "./stats";

/**
 * The nightly jobs on the bench data: the tier job over every member, and the expiry job on 10%
 * and then 100% of BENCH_EXPIRE_LOTS (default: members count, i.e. 1M lots on the 1M data set)
 * open lots, on the same table, so the two times show whether the job grows with the work (it
 * should) or with the table (it must not). "now" is moved forward to the instant at which exactly
 * that many open lots have passed their expiry.
 */
export async function benchJobs() {
  const config = benchConfig();
  const { members, transactions } = await generateData();
  const url = benchDatabaseUrl(config);
  const sql = rawSql(url, 1);
  console.log(`jobs: ${fmt(members)} members, ${fmt(transactions)} rows — ${await machineFacts(sql)}`);
  // Jobs run on their own connections with a job-sized work_mem: with the default 4 MB the tier
  // job's DISTINCT over a year of purchases spills to disk and did not finish in 11 minutes at 1M.
  const client = postgres(url, { max: 4, onnotice: () => {}, connection: { work_mem: config.BENCH_JOB_WORK_MEM } });
  const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
  console.log(`  (job connections: work_mem ${config.BENCH_JOB_WORK_MEM})`);

  let started = performance.now();
  let tiers: Awaited<ReturnType<typeof recalculateTiers>> | undefined;
  let tierSeconds = 0;
  if (config.BENCH_SKIP_TIERS !== "1") {
    tiers = await recalculateTiers(db, { now: new Date() });
    tierSeconds = (performance.now() - started) / 1000;
    console.log(
      `  tier job, ${fmt(members)} members: ${tierSeconds.toFixed(1)} s (${fmt(tiers.membersChecked)} checked, ${fmt(tiers.upgraded)} up, ${fmt(tiers.downgraded)} down)`,
    );
  }

  const target = config.BENCH_EXPIRE_LOTS ?? members;
  const results = [];
  for (const lots of [Math.round(target / 10), target]) {
    const [cut] = await sql<{ expires_at: Date }[]>`
      SELECT expires_at FROM point_transactions WHERE remaining > 0 ORDER BY expires_at OFFSET ${lots - 1} LIMIT 1`;
    if (!cut) {
      console.log(`  expiry job: fewer than ${fmt(lots)} open lots left; regenerate the data (BENCH_REUSE=0)`);
      break;
    }
    started = performance.now();
    const summary = await expirePoints(db, { now: cut.expires_at });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  expiry job, ${fmt(summary.lotsExpired)} lots (${fmt(summary.membersAffected)} members): ${seconds.toFixed(1)} s, ${fmt(summary.lotsExpired / seconds)} lots/s`,
    );
    results.push({ lots: summary.lotsExpired, seconds });
  }
  await client.end();
  await sql.end();
  return { tiers: { seconds: tierSeconds, ...tiers }, expiry: results };
}

runIfMain(import.meta.url, benchJobs);
