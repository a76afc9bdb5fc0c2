import { Card } from "@/components/ui/card";
import { formatMoney } from "@/lib/portal/format";
import type { TierProgress } from "@/lib/portal/tier-progress";

const tierStyle: Record<string, string> = {
  bronze: "bg-amber-100 text-amber-900",
  silver: "bg-slate-200 text-slate-900",
  gold: "bg-yellow-100 text-yellow-900",
};

export function TierCard({ progress, spend, locale }: { progress: TierProgress; spend: number; locale: string }) {
  const { current, next, spendNeeded, percent } = progress;
  return (
    <Card title="Your tier">
      <p className="flex items-center gap-2">
        <span className={`rounded-full px-3 py-1 text-sm font-semibold ${tierStyle[current.code] ?? ""}`} data-testid="tier">
          {current.name}
        </span>
        <span className="text-sm text-slate-600">{formatMoney(spend, locale)} spent in the last 12 months</span>
      </p>
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
          <p className="mt-2 text-sm text-slate-700">
            Spend <strong>{formatMoney(spendNeeded, locale)}</strong> more to reach <strong>{next.name}</strong>.
          </p>
        </>
      ) : (
        <p className="mt-3 text-sm text-slate-700">You are at our highest tier. Thank you!</p>
      )}
    </Card>
  );
}
