import Link from "next/link";
import { signOutAction } from "@/app/(auth)/sign-out-action";
import { LiveBalance } from "@/components/portal/live-balance";
import { PortalNav } from "@/components/portal/portal-nav";
import { getDb } from "@/db/client";
import { requirePortalMember } from "@/lib/portal/current-member";
import { portalSummary } from "@/lib/portal/portal-data";
import { requestLocale } from "@/lib/portal/request-locale";
import { unreadNotificationCount } from "@/lib/portal/unread-count";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePortalMember();
  const db = getDb();
  const [locale, unread, summary] = await Promise.all([requestLocale(), unreadNotificationCount(db, user.memberId), portalSummary(user.memberId)]);
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="sticky top-0 z-10 border-b border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-5xl items-center justify-between gap-3 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 font-bold text-slate-900">
            <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-indigo-700 text-white">
              ★
            </span>
            <span>Rewards</span>
          </Link>
          <div className="flex items-center gap-3">
            <p className="text-sm text-slate-700">
              <LiveBalance initial={summary?.availablePoints ?? 0} locale={locale} className="font-semibold text-slate-900" /> pts
            </p>
            <Link href="/account" className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100">
              Account
            </Link>
            <form action={signOutAction}>
              <button
                type="submit"
                className="min-h-11 rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                Sign out
              </button>
            </form>
          </div>
        </div>
        <div className="mx-auto max-w-5xl px-4 pb-2">
          <PortalNav unread={unread} />
        </div>
      </header>
      <main id="main" className="mx-auto max-w-5xl px-4 py-6">
        {children}
      </main>
      <footer className="mx-auto max-w-5xl px-4 pb-8 text-xs text-slate-600">Signed in as {user.email}</footer>
    </div>
  );
}
