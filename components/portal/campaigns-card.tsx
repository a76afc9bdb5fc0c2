import { Card } from "@/components/ui/card";
import { formatDate, formatMultiplier } from "@/lib/portal/format";
import type { ActiveCampaign } from "@/lib/portal/dashboard-queries";

const EVENT_LABELS: Record<string, string> = {
  purchase: "purchases",
  referral: "referrals",
  review: "reviews",
  login: "daily check-ins",
};

export function CampaignsCard({ campaigns, locale }: { campaigns: ActiveCampaign[]; locale: string }) {
  return (
    <Card title="Bonus campaigns for you">
      {campaigns.length === 0 ? (
        <p className="text-sm text-slate-600">No bonus campaigns are running right now.</p>
      ) : (
        <ul className="space-y-3">
          {campaigns.map((c) => (
            <li key={c.id} className="flex items-start gap-3">
              <span className="rounded-lg bg-indigo-700 px-2 py-1 text-sm font-bold text-white">{formatMultiplier(c.multiplier, locale)}</span>
              <div className="text-sm">
                <p className="font-semibold text-slate-900">{c.name}</p>
                <p className="text-slate-600">
                  On {c.eventTypes.length ? c.eventTypes.map((t) => EVENT_LABELS[t] ?? t).join(", ") : "everything"} · until {formatDate(c.endsAt, locale)}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
