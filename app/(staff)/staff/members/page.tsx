import Link from "next/link";
import { points } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { Badge, Table, Td } from "@/components/staff/table";
import { buttonClass } from "@/components/ui/button-class";
import { getDb } from "@/db/client";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import type { MemberSearchPage } from "@/lib/loyalty/members/search-members";
import { searchMembers } from "@/lib/loyalty/members/support-console";
import { pageParams, type RawParams } from "@/lib/loyalty/input/input-bounds";
import { IgnoredParams } from "@/components/ui/ignored-params";
import { requireStaff } from "../staff-session";

export const metadata = { title: "Members" };
export const dynamic = "force-dynamic";

export default async function MembersPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const { actor } = await requireStaff("members:support");
  const raw = await searchParams;
  const { values, ignored } = pageParams(raw, ["q"]);
  const paging = pageParams(raw, ["cursor"], 1400);
  const q = values.q ?? "";
  const cursor = paging.values.cursor ?? null;
  let staleLink = paging.ignored.length > 0;
  let page: MemberSearchPage = { items: [], nextCursor: null };
  if (q.trim()) {
    try {
      page = await searchMembers(getDb(), actor, q, { cursor });
    } catch (error) {
      // A hand-edited page link: show the first page instead of an error page.
      if (!isLoyaltyError(error) || error.code !== "validation_failed" || error.field !== "cursor") throw error;
      staleLink = true;
      page = await searchMembers(getDb(), actor, q);
    }
  }
  const hits = page.items;
  const first = `/staff/members?${new URLSearchParams({ q })}`;
  return (
    <>
      <PageHeader title="Members" description="Find a member by external id (exact), or by the start of their email or name." />
      <IgnoredParams names={ignored} />
      <form role="search" className="mb-6 flex max-w-2xl gap-2" action="/staff/members">
        <label htmlFor="member-search" className="sr-only">
          External id, email or name
        </label>
        <input
          id="member-search"
          name="q"
          type="search"
          defaultValue={q}
          autoFocus
          placeholder="External id, email or name…"
          className="min-h-11 flex-1 rounded-lg border border-slate-300 bg-white px-3 text-sm shadow-sm focus:outline-2 focus:outline-indigo-600"
        />
        <button type="submit" className={buttonClass("primary")}>
          Search
        </button>
      </form>
      {staleLink ? (
        <p role="status" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          That page link is not valid; showing the first matches.
        </p>
      ) : null}
      {q.trim() ? (
        <Table
          caption={`Members matching ${q}`}
          head={["Member", "Email", "Tier", "Balance", "Matched on"]}
          empty="No member matches. Try the start of the email or the name."
        >
          {hits.map((m) => (
            <tr key={m.id}>
              <Td>
                <Link href={`/staff/members/${encodeURIComponent(m.externalId)}`} className="font-medium text-indigo-700 hover:underline">
                  {m.name ?? m.externalId}
                </Link>
                <span className="block text-xs text-slate-600">{m.externalId}</span>
              </Td>
              <Td>{m.email ?? "—"}</Td>
              <Td>
                <Badge>{m.tier}</Badge>
              </Td>
              <Td numeric>{points(m.availablePoints)}</Td>
              <Td>{m.matchedOn}</Td>
            </tr>
          ))}
        </Table>
      ) : null}
      {q.trim() && (page.nextCursor || (cursor && !staleLink)) ? (
        <nav aria-label="Pages" className="mt-3 flex justify-between text-sm font-medium">
          {cursor && !staleLink ? (
            <Link href={first} className="text-indigo-700 hover:underline">
              ← First matches
            </Link>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Link href={`${first}&cursor=${encodeURIComponent(page.nextCursor)}`} className="text-indigo-700 hover:underline">
              More matches →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
