import { sql } from "drizzle-orm";
import { connectPostgres, queryRows } from "@/db/client";

/**
 * Child process of connection-loss.test.ts: a transaction whose backend is terminated while a query
 * is in flight. postgres.js then writes its own ROLLBACK on the dead connection; unpatched, that
 * write throws from a setImmediate callback (porsager/postgres#1208) and the process dies, which no
 * caller can catch. Prints the transaction's error code, then a query on the same pool, and exits 0.
 */
async function main() {
  const url = process.argv[2]!;
  const app = connectPostgres(url, { max: 2 });
  const killer = connectPostgres(url, { max: 1 });
  let pid: number | undefined;
  const transaction = app.db.transaction(async (tx) => {
    pid = (await queryRows<{ pid: number }>(tx, sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    await tx.execute(sql`SELECT pg_sleep(2)`);
  });
  while (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  await killer.db.execute(sql`SELECT pg_terminate_backend(${pid})`);
  const code = await transaction.then(
    () => "committed",
    (error: { code?: string; cause?: { code?: string } }) => error.cause?.code ?? error.code ?? "unknown",
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // let any scheduled write fire
  const after = (await queryRows<{ one: number }>(app.db, sql`SELECT 1 AS one`))[0]!.one;
  console.log(JSON.stringify({ code, after }));
  await app.close();
  await killer.close();
}

void main();
