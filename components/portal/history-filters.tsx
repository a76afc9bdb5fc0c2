import { buttonClass } from "@/components/ui/button-class";
import { Field, SelectField } from "@/components/ui/field";
import { TRANSACTION_TYPES } from "@/db/schema";
import { TYPE_LABELS } from "./transaction-labels";

const TYPE_OPTIONS = [{ value: "", label: "All types" }, ...TRANSACTION_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))];

/** A plain GET form: filters live in the URL, so they can be shared and survive a reload. */
export function HistoryFilters({ type, from, to }: { type: string; from: string; to: string }) {
  return (
    <form method="get" action="/history" className="grid grid-cols-2 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-4 sm:items-end">
      <SelectField className="col-span-2 sm:col-span-1" label="Type" name="type" defaultValue={type} options={TYPE_OPTIONS} />
      <Field label="From" type="date" name="from" defaultValue={from} />
      <Field label="To" type="date" name="to" defaultValue={to} />
      <button type="submit" className={`${buttonClass("primary")} col-span-2 sm:col-span-1`}>
        Apply filters
      </button>
    </form>
  );
}
