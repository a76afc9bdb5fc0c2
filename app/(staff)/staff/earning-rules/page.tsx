import { ActionForm } from "@/components/staff/action-form";
import { PageHeader } from "@/components/staff/page-header";
import { StaffField, StaffSelect, StaffTextarea } from "@/components/staff/staff-field";
import { Badge, Table, Td } from "@/components/staff/table";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { getDb } from "@/db/client";
import { TIER_CODES } from "@/db/schema";
import { listEarningRules, type EarningCapView, type EarningRuleView } from "@/lib/loyalty/program/earning-rules";
import { requireStaff } from "../staff-session";
import { createCapAction, createRuleAction, previewRuleAction, retireRuleAction } from "./actions";

export const metadata = { title: "Earning rules" };
export const dynamic = "force-dynamic";

const money = (cents: number | null) => (cents === null ? "" : (cents / 100).toFixed(2));
const names = (list: string[]) => (list.length === 0 ? "—" : list.join(", "));

function ruleTerms(r: EarningRuleView): string {
  const parts: string[] = [];
  if (r.pointsPerCurrencyUnit !== null) parts.push(r.pointsPerCurrencyUnit === 0 ? "earns nothing" : `${r.pointsPerCurrencyUnit} points per unit`);
  if (r.bonusPoints !== null) parts.push(`+${r.bonusPoints} points once`);
  if (r.minSpendCents !== null) parts.push(`from ${money(r.minSpendCents)}`);
  return parts.join(", ");
}

function capTerms(c: EarningCapView): string {
  const what = c.maxAwardsPerMember !== null ? `${c.maxAwardsPerMember} awards` : `${c.maxPoints} points`;
  return `at most ${what} of ${c.eventType ?? "every event type"} per member per ${c.period}`;
}

function RetireForm({ id, kind, label }: { id: number; kind: "rule" | "cap"; label: string }) {
  return (
    <ActionForm action={retireRuleAction} ariaLabel={`Retire ${label}`} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="kind" value={kind} />
      <StaffField label="Reason" name="reason" />
      <SubmitButton>Retire</SubmitButton>
    </ActionForm>
  );
}

/**
 * Marketing's earning rules and caps (docs/ledger.md, Earning rules and caps): create, schedule,
 * preview and retire. The role is checked here and again by every service the actions call.
 */
export default async function EarningRulesPage() {
  const { actor } = await requireStaff("program:write");
  const { rules, caps } = await listEarningRules(getDb(), actor);
  const tierOptions = TIER_CODES.map((t) => ({ value: t, label: t }));
  return (
    <>
      <PageHeader
        title="Earning rules"
        description="Points per currency unit for SKUs or categories (0 excludes them, e.g. gift cards), fixed bonuses, minimum spend, channels and a window; caps per member and day, week or month. The most specific rule sets a line's rate; campaigns and the tier bonus multiply it; caps apply last. Every change is in the audit log."
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="New earning rule">
          <ActionForm action={createRuleAction} ariaLabel="New earning rule" className="space-y-3" resetOnSuccess>
            <StaffField label="Name" name="name" required />
            <StaffField label="SKUs (comma-separated; empty = not by SKU)" name="skus" />
            <StaffField label="Categories (comma-separated)" name="categories" />
            <StaffField label="Channels (comma-separated; empty = every channel)" name="channels" />
            <StaffField label="Points per currency unit (0 = no points)" name="pointsPerCurrencyUnit" inputMode="numeric" />
            <StaffField label="Fixed bonus points (once per purchase)" name="bonusPoints" inputMode="numeric" />
            <StaffField label="Minimum spend (e.g. 50.00)" name="minSpend" inputMode="decimal" />
            <StaffField label="Starts (UTC; empty = now)" name="startsAt" type="datetime-local" />
            <StaffField label="Ends (UTC; empty = open-ended)" name="endsAt" type="datetime-local" />
            <StaffField label="Reason (for the audit log)" name="reason" />
            <SubmitButton>Create rule</SubmitButton>
          </ActionForm>
        </Card>
        <Card title="Preview a purchase">
          <ActionForm action={previewRuleAction} ariaLabel="Preview a purchase" className="space-y-3">
            <StaffTextarea label="Order lines: SKU, category, quantity, amount — one per line" name="items" rows={4} />
            <StaffField label="Amount without lines (e.g. 80.00)" name="amount" inputMode="decimal" />
            <StaffField label="Channel" name="channel" />
            <StaffSelect label="Tier" name="tier" options={tierOptions} defaultValue="bronze" />
            <StaffField label="At (UTC; empty = now)" name="at" type="datetime-local" />
            <SubmitButton>Preview</SubmitButton>
          </ActionForm>
          <p className="mt-3 text-sm text-slate-600">
            The preview runs the accrual&apos;s own planner with the rules, caps, campaigns and tier bonuses in force, for a member who has earned nothing yet
            in the period.
          </p>
        </Card>
        <Card title="New cap">
          <ActionForm action={createCapAction} ariaLabel="New cap" className="space-y-3" resetOnSuccess>
            <StaffField label="Name" name="name" required />
            <StaffSelect
              label="Limit"
              name="limit"
              options={[
                { value: "awards", label: "Awards of an event type" },
                { value: "points", label: "Points" },
              ]}
              defaultValue="awards"
            />
            <StaffSelect
              label="Event type"
              name="eventType"
              options={[
                { value: "", label: "Every type (points caps only)" },
                { value: "purchase", label: "purchase" },
                { value: "referral", label: "referral" },
                { value: "review", label: "review" },
                { value: "login", label: "login" },
              ]}
              defaultValue="purchase"
            />
            <StaffField label="At most (awards or points)" name="max" inputMode="numeric" required />
            <StaffSelect
              label="Per member per"
              name="period"
              options={[
                { value: "day", label: "day (UTC)" },
                { value: "week", label: "week (Monday to Sunday, UTC)" },
                { value: "month", label: "month (UTC)" },
              ]}
              defaultValue="day"
            />
            <StaffField label="Reason (for the audit log)" name="reason" />
            <SubmitButton>Create cap</SubmitButton>
          </ActionForm>
        </Card>
      </div>
      <section className="mt-8 space-y-3">
        <h2 className="text-lg font-semibold text-slate-900">Rules</h2>
        <Table caption="Earning rules" head={["#", "Name", "Lines", "Channels", "Terms", "Window (UTC)", "Status", ""]} empty="No earning rules yet.">
          {rules.map((r) => (
            <tr key={r.id}>
              <Td numeric>{r.id}</Td>
              <Td>{r.name}</Td>
              <Td>{r.skus.length + r.categories.length === 0 ? "every line" : [...r.skus.map((s) => `SKU ${s}`), ...r.categories].join(", ")}</Td>
              <Td>{names(r.channels)}</Td>
              <Td>{ruleTerms(r)}</Td>
              <Td>
                {r.startsAt.slice(0, 16).replace("T", " ")} → {r.endsAt ? r.endsAt.slice(0, 16).replace("T", " ") : "open"}
              </Td>
              <Td>
                <Badge tone={r.status === "retired" ? "archived" : r.status}>{r.status}</Badge>
              </Td>
              <Td>{r.status === "retired" ? null : <RetireForm id={r.id} kind="rule" label={`rule ${r.name}`} />}</Td>
            </tr>
          ))}
        </Table>
        <h2 className="pt-4 text-lg font-semibold text-slate-900">Caps</h2>
        <Table caption="Earning caps" head={["#", "Name", "Limit", "Status", ""]} empty="No caps yet.">
          {caps.map((c) => (
            <tr key={c.id}>
              <Td numeric>{c.id}</Td>
              <Td>{c.name}</Td>
              <Td>{capTerms(c)}</Td>
              <Td>
                <Badge tone={c.status === "retired" ? "archived" : c.status}>{c.status}</Badge>
              </Td>
              <Td>{c.status === "retired" ? null : <RetireForm id={c.id} kind="cap" label={`cap ${c.name}`} />}</Td>
            </tr>
          ))}
        </Table>
      </section>
    </>
  );
}
