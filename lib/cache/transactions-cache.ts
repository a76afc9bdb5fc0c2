import type { Executor } from "@/db/client";
import { listTransactions, type ListTransactionsInput } from "@/db/queries/transactions";
import { readThrough } from "./cache";
import { memberGeneration, subscribeCacheInvalidation } from "./invalidation";

const TTL_MS = 60 * 1000;

/**
 * `listTransactions`, with the first page of the unfiltered history cached for 60 s and dropped
 * when the member's next transaction commits. Deeper pages and filtered views are keyset range
 * scans that are cheap already and rarely repeated, so they go to the database.
 */
export async function cachedTransactionsPage(ex: Executor, input: ListTransactionsInput): ReturnType<typeof listTransactions> {
  const firstPage = !input.cursor && !input.types?.length && !input.from && !input.to;
  if (!firstPage) return listTransactions(ex, input);
  subscribeCacheInvalidation();
  return readThrough({
    key: `tp:${input.memberId}:${input.limit ?? "d"}`,
    ttlMs: TTL_MS,
    dependsOn: [memberGeneration(input.memberId)],
    load: () => listTransactions(ex, input),
  });
}
