import { connectPostgres } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import type { LoyaltyEvent } from "@/lib/loyalty/accrual/event-input";
import { checkpoint, machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { fmt, percentiles } from "./stats";

/**
 * What earning rules and caps cost the accrual batch path (recordEvents in-process, as
 * accrual-in-process.ts, batches of BENCH_BATCH_SIZE purchases, BENCH_CONCURRENCY loops): the same
 * purchases, each with three order lines and a channel, with no rule or cap in the database, and
 * with six rules in force, and with six rules and two caps in force (rates by category and SKU, an exclusion, a SKU bonus, a
 * channel bonus over a minimum spend; a points cap and an awards cap per member and day, set high
 * enough that the events still earn, so the planner does all of its work). Interleaved, twice, on
 * one data set, so a noisy neighbour hits both variants.
 */
const CATALOG = [
  { sku: "SNEAKER", category: "shoes" },
  { sku: "BOOT", category: "shoes" },
  { sku: "GC-50", category: "giftcard" },
  { sku: "LAUNCH", category: "gadgets" },
  { sku: "SOCKS", category: "socks" },
  { sku: "HAT", category: "hats" },
];
const CHANNELS = ["web", "app", "store"];

function purchasesWithLines(members: number, prefix: string) {
  let sequence = 0;
  return (): LoyaltyEvent => {
    const first = Math.floor(Math.random() * CATALOG.length);
    const items = [0, 1, 2].map((k) => {
      const line = CATALOG[(first + k) % CATALOG.length]!;
      return { sku: line.sku, category: line.category, quantity: 1 + k, amountCents: 100 + Math.floor(Math.random() * 7_000) };
    });
    return {
      type: "purchase",
      memberExternalId: `m${1 + Math.floor(Math.random() * members)}`,
      referenceId: `${prefix}-${sequence++}`,
      amountCents: items.reduce((s, l) => s + l.amountCents, 0),
      items,
      channel: CHANNELS[sequence % CHANNELS.length],
    };
  };
}

async function run(url: string, members: number, seconds: number, batch: number, concurrency: number) {
  const handle = connectPostgres(url, { max: concurrency });
  const next = purchasesWithLines(members, `er${Date.now().toString(36)}`);
  const latencies: number[] = [];
  let events = 0;
  const runFor = async (ms: number, record: boolean) => {
    const end = performance.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          const outcomes = await recordEvents(handle.db, Array.from({ length: batch }, next), { actor: "api:bench" });
          if (!record) continue;
          latencies.push(performance.now() - started);
          events += outcomes.filter((o) => o.ok).length;
        }
      }),
    );
  };
  await runFor(2_000, false);
  const started = performance.now();
  await runFor(seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  await handle.close();
  return { eventsPerSecond: events / elapsed, batchLatency: percentiles(latencies) };
}

export async function benchEarningRules() {
  const config = benchConfig();
  const { members } = await generateData();
  const url = benchDatabaseUrl(config);
  const sql = rawSql(url, 1);
  console.log(`earning rules: ${await machineFacts(sql)}`);
  const clear = async () => {
    await sql`DELETE FROM earning_rules WHERE created_by = 'bench'`;
    await sql`DELETE FROM earning_caps WHERE created_by = 'bench'`;
  };
  const installRules = async () => {
    await clear();
    await rules();
  };
  const install = async () => {
    await clear();
    await rules();
    await sql`INSERT INTO earning_caps (name, event_type, max_awards_per_member, max_points, period, starts_at, created_by) VALUES
      ('Purchases a day', 'purchase', 1000, NULL, 'day', now() - interval '1 day', 'bench'),
      ('Points a day', NULL, NULL, 10000000, 'day', now() - interval '1 day', 'bench')`;
  };
  const rules = async () => {
    await sql`INSERT INTO earning_rules (name, skus, categories, channels, min_spend_cents, points_per_currency_unit, bonus_points, starts_at, created_by) VALUES
      ('Gift cards 0', '{}', '{giftcard}', '{}', NULL, 0, NULL, now() - interval '1 day', 'bench'),
      ('Shoes 3', '{}', '{shoes}', '{}', NULL, 3, NULL, now() - interval '1 day', 'bench'),
      ('Boots 5', '{BOOT}', '{}', '{}', NULL, 5, NULL, now() - interval '1 day', 'bench'),
      ('Launch bonus', '{LAUNCH}', '{}', '{}', NULL, NULL, 150, now() - interval '1 day', 'bench'),
      ('Big app orders', '{}', '{}', '{app}', 10000, NULL, 100, now() - interval '1 day', 'bench'),
      ('Hats 2 in store', '{}', '{hats}', '{store}', NULL, 2, NULL, now() - interval '1 day', 'bench')`;
  };
  const variants = [
    { name: "no rules or caps", setup: clear },
    { name: "6 rules in force, no cap", setup: installRules },
    { name: "6 rules + 2 caps in force", setup: install },
  ];
  const seconds = config.BENCH_DURATION_S;
  console.log(
    `earning rules: batches of ${config.BENCH_BATCH_SIZE} purchases with 3 lines, ${config.BENCH_CONCURRENCY} concurrent, ${seconds} s each, ${fmt(members)} members`,
  );
  const figures = new Map<string, number[]>();
  try {
    for (let round = 1; round <= 2; round++) {
      for (const v of variants) {
        await v.setup();
        await checkpoint(config.BENCH_ADMIN_URL);
        const r = await run(url, members, seconds, config.BENCH_BATCH_SIZE, config.BENCH_CONCURRENCY);
        figures.set(v.name, [...(figures.get(v.name) ?? []), r.eventsPerSecond]);
        console.log(
          `  round ${round}, ${v.name.padEnd(26)} ${fmt(r.eventsPerSecond)} events/s (batch p50 ${r.batchLatency.p50} ms, p95 ${r.batchLatency.p95} ms)`,
        );
      }
    }
  } finally {
    await clear();
    await sql.end();
  }
  const base = Math.max(...figures.get(variants[0]!.name)!);
  for (const [name, values] of figures) {
    const best = Math.max(...values);
    console.log(`  best of 2, ${name.padEnd(26)} ${fmt(best)} events/s, ${(best / base).toFixed(2)} of no rules`);
  }
}

runIfMain(import.meta.url, benchEarningRules);
