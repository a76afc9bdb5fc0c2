import { formatDate, formatDateTime, formatMultiplier, formatPoints, formatSignedPoints } from "@/lib/portal/format";
import type { HistoryRow } from "@/lib/portal/history-queries";
import { TYPE_LABELS } from "./transaction-labels";

/** A table on wide screens; each row stacks into a card on phones. */
export function HistoryTable({ rows, locale, now }: { rows: HistoryRow[]; locale: string; now: Date }) {
  if (rows.length === 0) {
    return <p className="rounded-2xl border border-slate-200 bg-white p-6 text-center text-slate-600">No transactions match.</p>;
  }
  return (
    <div className="overflow-hidden rounded-2xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Your transactions, newest first</caption>
        <thead className="hidden bg-slate-50 text-xs tracking-wide text-slate-600 uppercase sm:table-header-group">
          <tr>
            <th scope="col" className="px-4 py-3">
              Date
            </th>
            <th scope="col" className="px-4 py-3">
              Type
            </th>
            <th scope="col" className="px-4 py-3">
              Reference
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Multiplier
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Points
            </th>
            <th scope="col" className="px-4 py-3">
              Expires
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id} data-testid="history-row" className="grid grid-cols-2 gap-1 px-4 py-3 sm:table-row sm:p-0">
              <td className="text-slate-700 sm:px-4 sm:py-3">
                <time dateTime={row.occurredAt.toISOString()}>{formatDateTime(row.occurredAt, locale)}</time>
              </td>
              <td className="text-right font-medium sm:px-4 sm:py-3 sm:text-left">{TYPE_LABELS[row.type]}</td>
              <td className="col-span-2 break-all text-slate-600 sm:px-4 sm:py-3">
                <span className="text-slate-500">{row.referenceType}</span> {row.referenceId}
              </td>
              <td className="text-slate-700 sm:px-4 sm:py-3 sm:text-right">
                <span className="sm:hidden">Multiplier </span>
                {formatMultiplier(row.multiplier, locale)}
              </td>
              <td className={`text-right font-semibold tabular-nums sm:px-4 sm:py-3 ${row.amount < 0 ? "text-red-700" : "text-emerald-700"}`}>
                {formatSignedPoints(row.amount, locale)}
              </td>
              <td className="col-span-2 text-slate-600 sm:px-4 sm:py-3">
                {row.vestsAt && new Date(row.vestsAt).getTime() > now.getTime() ? (
                  <span className="text-amber-700" data-testid="pending">
                    Pending until <time dateTime={new Date(row.vestsAt).toISOString()}>{formatDate(new Date(row.vestsAt), locale)}</time>
                  </span>
                ) : row.expiresAt ? (
                  <>
                    <span className="sm:hidden">Expires </span>
                    <time dateTime={row.expiresAt.toISOString()}>{formatDate(row.expiresAt, locale)}</time>
                    {row.remaining !== null && row.remaining !== row.amount ? (
                      <span className="text-slate-500"> ({formatPoints(row.remaining, locale)} left)</span>
                    ) : null}
                  </>
                ) : (
                  <span className="hidden sm:inline">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
