import { getMemberByExternalId } from "@/db/queries/members";
import { cachedTransactionsPage } from "@/lib/cache/transactions-cache";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/responses";
import { memberParamsSchema, transactionsQuerySchema } from "@/lib/http/schemas";
import { parseInput, searchParamsOf } from "@/lib/http/validate";
import { transactionView } from "@/lib/http/views";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

/**
 * A member's ledger, newest first; pass `nextCursor` back as `cursor` for the next page. The first
 * unfiltered page is cached for 60 s and dropped when the member's next transaction commits.
 */
export const GET = apiRoute<{ externalId: string }>("members:read", async ({ request, db }, params) => {
  const { externalId } = parseInput(memberParamsSchema, params);
  const query = parseInput(transactionsQuerySchema, searchParamsOf(request));
  const member = await getMemberByExternalId(db, externalId);
  if (!member) throw new LoyaltyError("member_not_found", `No member with externalId ${externalId}`, { field: "externalId" });
  const page = await cachedTransactionsPage(db, {
    memberId: member.id,
    limit: query.limit,
    cursor: query.cursor,
    types: query.types,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  });
  return json({ items: page.items.map(transactionView), nextCursor: page.nextCursor ?? null });
});

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
