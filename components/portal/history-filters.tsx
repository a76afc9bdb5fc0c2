import { buttonClass } from "@/components/ui/button-class";
import { TRANSACTION_TYPES } from "@/db/schema";
import { TYPE_LABELS } from "./transaction-labels";

/** A plain GET form: filters live in the URL, so they can be shared and survive a reload. */
export function HistoryFilters({ type, from, to }: { type: string; from: string; to: string }) {
  const input =
    "mt-1 block min-h-11 w-full rounded-lg border border-slate-300 bg-white px-3 text-base focus:outline-2 focus:outline-indigo-600";
  return (
    <form method="get" action="/history" className="grid grid-cols-2 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-4 sm:items-end">
      <div className="col-span-2 sm:col-span-1">
        <label htmlFor="history-type" className="text-sm font-medium text-slate-800">
          Type
        </label>
        <select id="history-type" name="type" defaultValue={type} className={input}>
          <option value="">All types</option>
          {TRANSACTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="history-from" className="text-sm font-medium text-slate-800">
          From
        </label>
        <input id="history-from" type="date" name="from" defaultValue={from} className={input} />
      </div>
      <div>
        <label htmlFor="history-to" className="text-sm font-medium text-slate-800">
          To
        </label>
        <input id="history-to" type="date" name="to" defaultValue={to} className={input} />
      </div>
      <button type="submit" className={`${buttonClass("primary")} col-span-2 sm:col-span-1`}>
        Apply filters
      </button>
    </form>
  );
}
