import { RedeemForm } from "@/components/portal/redeem-form";
import { getDb } from "@/db/client";
import { requirePortalMember } from "@/lib/portal/current-member";
import { portalSummary } from "@/lib/portal/portal-data";
import { requestLocale } from "@/lib/portal/request-locale";
import { listCatalogRewards } from "@/lib/portal/rewards-queries";

export const metadata = { title: "Redeem" };

export default async function RedeemPage() {
  const user = await requirePortalMember();
  const [summary, rewards, locale] = await Promise.all([
    portalSummary(user.memberId),
    listCatalogRewards(getDb(), new Date()),
    requestLocale(),
  ]);
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Redeem points</h1>
      <RedeemForm available={summary?.availablePoints ?? 0} rewards={rewards} locale={locale} />
    </div>
  );
}
