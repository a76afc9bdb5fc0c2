import { Card } from "@/components/ui/card";
import { formatDate, formatPoints } from "@/lib/portal/format";
import type { ExpiringPoints } from "@/lib/portal/dashboard-queries";

export function ExpiringCard({ items, locale }: { items: ExpiringPoints[]; locale: string }) {
  return (
    <Card title="Expiring in the next 30 days">
      {items.length === 0 ? (
        <p className="text-sm text-slate-600">None of your points expire in the next 30 days.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {items.map((item) => (
            <li key={item.expiresAt.toISOString()} className="flex justify-between py-2 text-sm">
              <span className="font-semibold text-amber-800">{formatPoints(item.points, locale)} pts</span>
              <span className="text-slate-700">
                on <time dateTime={item.expiresAt.toISOString()}>{formatDate(item.expiresAt, locale)}</time>
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
