import { RedeemForm } from "@/components/portal/redeem-form";
import { getDb } from "@/db/client";
import { memberCoupons } from "@/db/queries/coupons";
import { requirePortalMember } from "@/lib/portal/current-member";
import { portalSummary } from "@/lib/portal/portal-data";
import { requestLocale } from "@/lib/portal/request-locale";
import { listCatalogRewards } from "@/lib/portal/rewards-queries";

export const metadata = { title: "Redeem" };

export default async function RedeemPage() {
  const user = await requirePortalMember();
  const [summary, rewards, locale, coupons] = await Promise.all([
    portalSummary(user.memberId),
    listCatalogRewards(getDb(), new Date()),
    requestLocale(),
    memberCoupons(getDb(), user.memberId),
  ]);
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Redeem points</h1>
      <RedeemForm available={summary?.availablePoints ?? 0} rewards={rewards} locale={locale} />
      {coupons.length > 0 ? (
        <section aria-labelledby="coupons-heading" className="rounded-2xl border border-slate-200 bg-white p-5">
          <h2 id="coupons-heading" className="text-lg font-semibold text-slate-900">
            Your coupon codes
          </h2>
          <ul className="mt-3 divide-y divide-slate-100" data-testid="coupon-wallet">
            {coupons.map((c) => (
              <li key={c.code} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
                <span className="text-slate-700">{c.rewardName}</span>
                <code className="rounded bg-slate-100 px-2 py-1 font-mono text-sm text-slate-900">{c.code}</code>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
