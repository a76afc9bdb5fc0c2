import { connectPostgres } from "@/db/client";
import { expirePoints } from "@/lib/loyalty/expiry";
import { recalculateTiers } from "@/lib/loyalty/tier-recalculation";
import { machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
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
  const handle = connectPostgres(url, { max: 4 });

  let started = performance.now();
  const tiers = await recalculateTiers(handle.db, { now: new Date() });
  const tierSeconds = (performance.now() - started) / 1000;
  console.log(
    `  tier job, ${fmt(members)} members: ${tierSeconds.toFixed(1)} s (${fmt(tiers.membersChecked)} checked, ${fmt(tiers.upgraded)} up, ${fmt(tiers.downgraded)} down)`,
  );

  const target = members;
  const results = [];
  for (const lots of [Math.round(target / 10), target]) {
    const [cut] = await sql<{ expires_at: Date }[]>`
      SELECT expires_at FROM point_transactions WHERE remaining > 0 ORDER BY expires_at OFFSET ${lots - 1} LIMIT 1`;
    if (!cut) {
      console.log(`  expiry job: fewer than ${fmt(lots)} open lots left; regenerate the data (BENCH_REUSE=0)`);
      break;
    }
    started = performance.now();
    const summary = await expirePoints(handle.db, { now: cut.expires_at });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  expiry job, ${fmt(summary.lotsExpired)} lots (${fmt(summary.membersAffected)} members): ${seconds.toFixed(1)} s, ${fmt(summary.lotsExpired / seconds)} lots/s`,
    );
    results.push({ lots: summary.lotsExpired, seconds });
  }
  await handle.close();
  await sql.end();
  return { tiers: { seconds: tierSeconds, ...tiers }, expiry: results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchJobs().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
