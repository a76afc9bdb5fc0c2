/** A scrollable, captioned table with the console's styling. */
export function Table({ caption, head, children, empty }: { caption: string; head: readonly React.ReactNode[]; children: React.ReactNode; empty?: string }) {
  const hasRows = Array.isArray(children) ? children.length > 0 : Boolean(children);
  return (
    // Focusable and named so keyboard users can scroll a wide table (axe: scrollable-region-focusable).
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm focus-visible:outline-2 focus-visible:outline-indigo-600"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col" className="px-3 py-2 text-left font-semibold whitespace-nowrap text-slate-700">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {hasRows ? (
            children
          ) : (
            <tr>
              <td colSpan={head.length} className="px-3 py-6 text-center text-slate-600">
                {empty ?? "Nothing here yet."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function Td({ children, className = "", numeric = false }: { children: React.ReactNode; className?: string; numeric?: boolean }) {
  return <td className={`px-3 py-2 align-top ${numeric ? "text-right tabular-nums" : ""} ${className}`}>{children}</td>;
}

const tones: Record<string, string> = {
  active: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  scheduled: "bg-sky-50 text-sky-800 ring-sky-200",
  paused: "bg-amber-50 text-amber-900 ring-amber-200",
  ended: "bg-slate-100 text-slate-700 ring-slate-200",
  archived: "bg-slate-100 text-slate-600 ring-slate-200",
  pending: "bg-amber-50 text-amber-900 ring-amber-200",
  approved: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  rejected: "bg-red-50 text-red-800 ring-red-200",
};

export function Badge({ children, tone }: { children: React.ReactNode; tone?: string }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone ?? ""] ?? "bg-slate-100 text-slate-700 ring-slate-200"}`}
    >
      {children}
    </span>
  );
}
