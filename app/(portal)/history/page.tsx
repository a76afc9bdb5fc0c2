import Link from "next/link";
import { HistoryFilters } from "@/components/portal/history-filters";
import { HistoryTable } from "@/components/portal/history-table";
import { getDb } from "@/db/client";
import { requirePortalMember } from "@/lib/portal/current-member";
import { memberHistoryPage } from "@/lib/portal/cached-history";
import { historyFilterSchema } from "@/lib/portal/history-queries";
import { requestLocale } from "@/lib/portal/request-locale";

export const metadata = { title: "History" };

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requirePortalMember();
  const raw = await searchParams;
  const filter = historyFilterSchema.parse({
    type: first(raw.type),
    from: first(raw.from),
    to: first(raw.to),
    cursor: first(raw.cursor),
  });
  // The member id comes from the session only; no query parameter can choose another member.
  const [page, locale] = await Promise.all([memberHistoryPage(getDb(), user.memberId, filter), requestLocale()]);
  const next = new URLSearchParams();
  if (filter.type) next.set("type", filter.type);
  if (filter.from) next.set("from", filter.from);
  if (filter.to) next.set("to", filter.to);
  if (page.nextCursor) next.set("cursor", String(page.nextCursor));
  const firstPage = new URLSearchParams(next);
  firstPage.delete("cursor");
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Points history</h1>
      <HistoryFilters type={filter.type ?? ""} from={filter.from ?? ""} to={filter.to ?? ""} />
      <HistoryTable rows={page.items} locale={locale} now={new Date()} />
      <nav aria-label="Pages" className="flex justify-between">
        {filter.cursor ? (
          <Link href={`/history?${firstPage}`} className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor ? (
          <Link href={`/history?${next}`} className="font-semibold text-indigo-700 underline-offset-2 hover:underline">
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
