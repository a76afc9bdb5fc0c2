import Link from "next/link";
import { CampaignsCard } from "@/components/portal/campaigns-card";
import { CheckInCard } from "@/components/portal/check-in-card";
import { ExpiringCard } from "@/components/portal/expiring-card";
import { LiveBalance } from "@/components/portal/live-balance";
import { TierCard } from "@/components/portal/tier-card";
import { buttonClass } from "@/components/ui/button-class";
import { requirePortalMember } from "@/lib/portal/current-member";
import { portalSummary } from "@/lib/portal/portal-data";
import { formatPoints } from "@/lib/portal/format";
import { requestLocale } from "@/lib/portal/request-locale";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePortalMember();
  const [summary, locale] = await Promise.all([portalSummary(user.memberId), requestLocale()]);
  if (!summary) return <p>We could not find your membership. Please contact support.</p>;
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Hello{summary.name ? `, ${summary.name}` : ""}</h1>
      <section aria-labelledby="balance-heading" className="rounded-2xl bg-gradient-to-br from-indigo-700 to-indigo-900 p-6 text-white shadow-md">
        <h2 id="balance-heading" className="text-sm font-medium text-indigo-100">
          Available points
        </h2>
        <p className="mt-1 text-4xl font-bold tracking-tight">
          <LiveBalance initial={summary.availablePoints} locale={locale} />
        </p>
        {summary.heldPoints > 0 ? (
          <p className="mt-1 text-sm text-indigo-100" data-testid="held-points">
            {formatPoints(summary.heldPoints, locale)} more points are held for a checkout in progress.
          </p>
        ) : null}
        {summary.pendingPoints > 0 ? (
          <p className="mt-1 text-sm text-indigo-100" data-testid="pending-points">
            {formatPoints(summary.pendingPoints, locale)} more points are pending: they become available when the return window of your purchase closes.
          </p>
        ) : null}
        <div className="mt-4 flex flex-wrap gap-2">
          <Link href="/redeem" className={`${buttonClass("secondary")} !ring-0`}>
            Redeem points
          </Link>
          <Link
            href="/history"
            className="inline-flex min-h-11 items-center rounded-lg px-4 text-sm font-semibold text-white underline-offset-2 hover:underline"
          >
            See history
          </Link>
        </div>
      </section>
      <div className="grid gap-5 md:grid-cols-2">
        <TierCard progress={summary.progress} spend={summary.tierSpend12m} standing={summary.standing} locale={locale} />
        <CheckInCard checkedInToday={summary.checkIn.checkedInToday} streak={summary.checkIn.streak} />
        <ExpiringCard items={summary.expiringSoon} locale={locale} />
        <CampaignsCard campaigns={summary.campaigns} locale={locale} />
      </div>
    </div>
  );
}
