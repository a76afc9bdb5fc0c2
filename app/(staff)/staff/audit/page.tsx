import Link from "next/link";
import { dateTime } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { Table, Td } from "@/components/staff/table";
import { buttonClass } from "@/components/ui/button-class";
import { Field, SelectField } from "@/components/ui/field";
import { getDb } from "@/db/client";
import { getMemberByExternalId } from "@/db/queries/members";
import { listAudit, type AuditFilter } from "@/lib/loyalty/audit/audit-log";
import { AUDIT_FAMILIES, auditFamily } from "@/lib/loyalty/audit/audit-families";
import { boundedDay, pageParams, type RawParams } from "@/lib/loyalty/input/input-bounds";
import { IgnoredParams } from "@/components/ui/ignored-params";
import { requireStaff } from "../staff-session";
import { actorLabels, resolveActor } from "./resolve-actor";

export const metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const PARAMS = ["kind", "actor", "action", "member", "from", "to", "cursor"] as const;
const KINDS = [{ value: "", label: "Every kind" }, ...Object.entries(AUDIT_FAMILIES).map(([value, f]) => ({ value, label: f.label }))];

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const { actor } = await requireStaff("audit:read");
  const { values: params, ignored } = pageParams(await searchParams, PARAMS);
  const db = getDb();
  const filter: AuditFilter = {};
  let unknownMember = false;
  if (params.actor?.trim()) filter.actor = await resolveActor(db, params.actor.trim());
  if (params.action?.trim()) filter.action = params.action.trim().slice(0, 100);
  // An action family from the fixed list (sign-ins, API keys, exports…); anything else is ignored and said so.
  const kind = auditFamily(params.kind);
  if (kind) filter.actionPrefixes = AUDIT_FAMILIES[kind].prefixes;
  else if (params.kind) ignored.push("kind");
  if (params.member?.trim()) {
    const member = await getMemberByExternalId(db, params.member.trim().slice(0, 200));
    if (member) filter.memberId = member.id;
    else unknownMember = true;
  }
  const from = boundedDay(params.from);
  const to = boundedDay(params.to);
  if (params.from && !from) ignored.push("from");
  if (params.to && !to) ignored.push("to");
  if (from) filter.from = new Date(`${from}T00:00:00Z`);
  if (to) filter.to = new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000);
  const cursor = params.cursor && /^\d{1,15}$/.test(params.cursor) ? Number(params.cursor) : null;
  const page = unknownMember ? { items: [], nextCursor: null } : await listAudit(db, actor, filter, { cursor, limit: 50 });
  const names = await actorLabels(
    db,
    page.items.map((e) => e.actor),
  );
  const next = new URLSearchParams(Object.entries({ ...params, cursor: String(page.nextCursor ?? "") }).filter(([, v]) => v) as [string, string][]);

  return (
    <>
      <PageHeader title="Audit log" description="Every staff and system change, append-only: the database refuses to edit or delete an entry. Dates are UTC." />
      <IgnoredParams names={ignored} />
      <form
        className="mb-6 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-4 lg:grid-cols-7"
        aria-label="Filter the audit log"
      >
        <SelectField density="compact" label="Kind" name="kind" defaultValue={kind ?? ""} options={KINDS} />
        <Field density="compact" label="Actor" name="actor" defaultValue={params.actor} placeholder="email or user:…" />
        <Field density="compact" label="Action" name="action" defaultValue={params.action} placeholder="points.adjust" />
        <Field density="compact" label="Member" name="member" defaultValue={params.member} placeholder="external id" />
        <Field density="compact" label="From" type="date" name="from" defaultValue={params.from} />
        <Field density="compact" label="To" type="date" name="to" defaultValue={params.to} />
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Filter
          </button>
          <Link href="/staff/audit" className={buttonClass("ghost")}>
            Clear
          </Link>
        </div>
      </form>
      <Table
        caption="Audit entries, newest first"
        head={["When", "Actor", "Action", "Target", "Reason", "Before", "After"]}
        empty={unknownMember ? "No member with that external id." : "No entry matches."}
      >
        {page.items.map((e) => (
          <tr key={e.id}>
            <Td className="whitespace-nowrap">{dateTime(e.createdAt)}</Td>
            <Td className="break-all">{names.get(e.actor) ?? e.actor}</Td>
            <Td>{e.action}</Td>
            <Td>
              {e.targetType} {e.targetId}
            </Td>
            <Td>{e.reason ?? ""}</Td>
            <Td className="max-w-64 font-mono text-xs break-all">{e.before ? JSON.stringify(e.before) : ""}</Td>
            <Td className="max-w-64 font-mono text-xs break-all">{e.after ? JSON.stringify(e.after) : ""}</Td>
          </tr>
        ))}
      </Table>
      {page.nextCursor ? (
        <Link href={`/staff/audit?${next}`} className="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline">
          Older entries →
        </Link>
      ) : null}
    </>
  );
}
