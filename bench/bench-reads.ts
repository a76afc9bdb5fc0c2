import { connectPostgres } from "@/db/client";
import { listTransactions } from "@/db/queries/transactions";
import { setCacheStore } from "@/lib/cache/cache";
import { cachedMemberSummary } from "@/lib/cache/member-summary-cache";
import { RedisStore } from "@/lib/cache/redis-store";
import { cachedTransactionsPage } from "@/lib/cache/transactions-cache";
import { getMemberByExternalId } from "@/db/queries/members";
import { machineFacts, rawSql } from "./bench-db";
import { benchConfig, benchDatabaseUrl } from "./config";
import { explainRequestPaths } from "./explain";
import { generateData } from "./generate-data";
import { runIfMain } from "./run-main";
import { percentiles } from "./stats";

/**
 * Balance (member summary) and first history page reads on the bench data set: cold cache (every
 * read a miss: database + cache write) and warm cache (the same members again: Redis hits), 4
 * concurrent readers. Then EXPLAIN of every request-path query.
 */
export async function benchReads() {
  const config = benchConfig();
  const { members, transactions } = await generateData();
  const url = benchDatabaseUrl(config);
  const sql = rawSql(url, 1);
  console.log(`reads: ${members.toLocaleString("en-US")} members, ${transactions.toLocaleString("en-US")} rows — ${await machineFacts(sql)}`);
  const handle = connectPostgres(url, { max: 4 });
  const store = new RedisStore(config.REDIS_URL, { keyPrefix: `bench:cache:${Date.now()}:` });
  await store.whenReady();
  setCacheStore(store);

  const sample = Array.from({ length: 2_000 }, () => `m${1 + Math.floor(Math.random() * members)}`);
  const idOf = new Map<string, number>();
  for (const ext of sample.slice(0, 1)) idOf.set(ext, (await getMemberByExternalId(handle.db, ext))!.id);

  async function measure(label: string, read: (ext: string) => Promise<unknown>) {
    const latencies: number[] = [];
    const queue = [...sample];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let ext = queue.shift(); ext; ext = queue.shift()) {
          const started = performance.now();
          await read(ext);
          latencies.push(performance.now() - started);
        }
      }),
    );
    const p = percentiles(latencies);
    console.log(`  ${label.padEnd(44)} p50 ${p.p50} ms  p95 ${p.p95} ms  p99 ${p.p99} ms`);
    return p;
  }
  const memberId = async (ext: string) => {
    let id = idOf.get(ext);
    if (id === undefined) {
      id = (await getMemberByExternalId(handle.db, ext))!.id;
      idOf.set(ext, id);
    }
    return id;
  };
  // Resolve ids first so the history figures are the page read alone, as the route does after auth.
  await Promise.all(sample.map(memberId));

  const results = {
    balanceDb: await measure("balance, database only (no cache)", (ext) =>
      import("@/lib/loyalty/members/ensure-member").then((m) => m.getMemberSummary(handle.db, ext)),
    ),
    balanceCold: await measure("balance, cold cache (miss + fill)", (ext) => cachedMemberSummary(handle.db, ext)),
    balanceWarm: await measure("balance, warm cache (Redis hit)", (ext) => cachedMemberSummary(handle.db, ext)),
    historyDb: await measure("history page 1, database only", async (ext) => listTransactions(handle.db, { memberId: await memberId(ext), limit: 20 })),
    historyCold: await measure("history page 1, cold cache (miss + fill)", async (ext) =>
      cachedTransactionsPage(handle.db, { memberId: await memberId(ext), limit: 20 }),
    ),
    historyWarm: await measure("history page 1, warm cache (Redis hit)", async (ext) =>
      cachedTransactionsPage(handle.db, { memberId: await memberId(ext), limit: 20 }),
    ),
  };

  console.log("explain: request-path queries (EXPLAIN ANALYZE, BUFFERS)");
  const plans = await explainRequestPaths(sql);
  for (const p of plans) console.log(`  ${p.ok ? "ok  " : "SEQ!"} ${p.name.padEnd(30)} ${p.ms.toFixed(2).padStart(8)} ms  ${p.nodes.join(", ")}`);

  await setCacheStore(undefined)?.close();
  await handle.close();
  await sql.end();
  return { results, plans };
}

runIfMain(import.meta.url, benchReads);
