import { Card } from "@/components/ui/card";
import type { TierStanding } from "@/lib/loyalty/members/read-tier-standing";
import { formatDateTime, formatMoney, formatMultiplier } from "@/lib/portal/format";
import type { TierProgress } from "@/lib/portal/tier-progress";

const tierStyle: Record<string, string> = {
  bronze: "bg-amber-100 text-amber-900",
  silver: "bg-slate-200 text-slate-900",
  gold: "bg-yellow-100 text-yellow-900",
};

export function TierCard({ progress, spend, standing, locale }: { progress: TierProgress; spend: number; standing: TierStanding; locale: string }) {
  const { current, next, spendNeeded, percent } = progress;
  const { retainUntil, spendNeeded: spendToKeep } = standing.tierRetention;
  return (
    <Card title="Your tier">
      <p className="flex items-center gap-2">
        <span className={`rounded-full px-3 py-1 text-sm font-semibold ${tierStyle[current.code] ?? ""}`} data-testid="tier">
          {current.name}
        </span>
        <span className="text-sm text-slate-600">{formatMoney(spend, locale)} spent in the last 12 months</span>
      </p>
      {retainUntil ? (
        <p className="mt-3 rounded-lg bg-amber-50 p-3 text-sm text-amber-900" data-testid="tier-retention">
          {spendToKeep > 0 ? (
            <>
              Spend <strong>{formatMoney(spendToKeep, locale)}</strong> more by <strong>{formatDateTime(retainUntil, locale)} UTC</strong> to keep{" "}
              <strong>{current.name}</strong>.
            </>
          ) : (
            <>
              You have spent enough to keep <strong>{current.name}</strong>: it is confirmed at the next tier review.
            </>
          )}
        </p>
      ) : null}
      {next ? (
        <>
          <div className="mt-4">
            <progress
              className="h-2 w-full overflow-hidden rounded-full [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600"
              max={100}
              value={percent}
              aria-label={`Progress to ${next.name}`}
            />
          </div>
          <p className="mt-2 text-sm text-slate-700" data-testid="tier-next">
            Spend <strong>{formatMoney(spendNeeded, locale)}</strong> more to reach <strong>{next.name}</strong>.
          </p>
        </>
      ) : (
        <p className="mt-3 text-sm text-slate-700">You are at our highest tier. Thank you!</p>
      )}
      {standing.tierBenefits.length > 0 || standing.tierEarnMultiplier > 1 ? (
        <div className="mt-4">
          <h3 className="text-sm font-semibold text-slate-900">{current.name} benefits</h3>
          <ul className="mt-1 list-disc space-y-1 pl-5 text-sm text-slate-700" data-testid="tier-benefits">
            {standing.tierEarnMultiplier > 1 ? <li>{formatMultiplier(standing.tierEarnMultiplier, locale)} points on purchases</li> : null}
            {standing.tierBenefits.map((benefit, i) => (
              <li key={i}>{benefit}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}
