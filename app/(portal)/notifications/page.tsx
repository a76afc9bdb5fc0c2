import Link from "next/link";
import { getDb } from "@/db/client";
import { listNotifications } from "@/lib/loyalty/members/notifications";
import { requirePortalMember } from "@/lib/portal/current-member";
import { formatDate, formatDateTime, formatPoints } from "@/lib/portal/format";
import { requestLocale } from "@/lib/portal/request-locale";
import { markReadAction } from "./mark-read-action";

export const metadata = { title: "Inbox" };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ cursor?: string | string[] }> }) {
  const user = await requirePortalMember();
  const { cursor } = await searchParams;
  const [page, locale] = await Promise.all([
    listNotifications(getDb(), user.memberId, { limit: 20, cursor: typeof cursor === "string" ? cursor : null }),
    requestLocale(),
  ]);
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Inbox</h1>
      {page.items.length === 0 ? (
        <p className="rounded-2xl border border-slate-200 bg-white p-6 text-center text-slate-600">
          No messages yet. We will remind you here before any of your points expire.
        </p>
      ) : (
        <ul className="space-y-3">
          {page.items.map((n) => {
            const expires = new Date(`${n.expiresOn}T00:00:00Z`);
            return (
              <li
                key={n.id}
                data-testid="notification"
                className={`rounded-2xl border bg-white p-4 ${n.readAt ? "border-slate-200" : "border-indigo-300 ring-1 ring-indigo-200"}`}
              >
                <div className="flex items-start justify-between gap-3">
                  <div>
                    <p className="font-semibold text-slate-900">
                      {!n.readAt ? <span className="sr-only">Unread: </span> : null}
                      {formatPoints(n.points, locale)} points expire {n.thresholdDays === 1 ? "tomorrow" : `in ${n.thresholdDays} days`}
                    </p>
                    <p className="mt-1 text-sm text-slate-600">They expire on {formatDate(expires, locale)}. Redeem them before then so they are not lost.</p>
                    <p className="mt-1 text-xs text-slate-500">{formatDateTime(n.createdAt, locale)}</p>
                  </div>
                  {!n.readAt ? (
                    <form action={markReadAction}>
                      <input type="hidden" name="notificationId" value={n.id} />
                      <button
                        type="submit"
                        className="min-h-11 rounded-lg px-3 text-sm font-medium whitespace-nowrap text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
                      >
                        Mark read
                      </button>
                    </form>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <div className="flex justify-between">
        {cursor ? (
          <Link href="/notifications" className="font-semibold text-indigo-700 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor ? (
          <Link href={`/notifications?cursor=${page.nextCursor}`} className="font-semibold text-indigo-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </div>
    </div>
  );
}
