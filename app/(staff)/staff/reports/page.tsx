import { Card } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button-class";
import { Field, SelectField } from "@/components/ui/field";
import { FlowChart } from "@/components/staff/flow-chart";
import { dateTime, multiplier, percent, points, signedPoints } from "@/components/staff/format";
import { PageHeader, StatCard } from "@/components/staff/page-header";
import { Table, Td } from "@/components/staff/table";
import { getDb } from "@/db/client";
import { campaignReport, flowTotals, liabilityAt, membersPerTier, pointFlows } from "@/lib/loyalty/reports/program-reports";
import { requireStaff } from "../staff-session";
import { pageParams, type RawParams } from "@/lib/loyalty/input/input-bounds";
import { IgnoredParams } from "@/components/ui/ignored-params";
import { liabilityInstant, reportRange, unusableRangeParams } from "./report-range";

export const metadata = { title: "Reports" };
export const dynamic = "force-dynamic";

const GRANULARITIES = [
  { value: "day", label: "Day" },
  { value: "month", label: "Month" },
] as const;

function CsvLink({ href, label }: { href: string; label: string }) {
  return (
    <a href={href} className="text-sm font-medium text-indigo-700 hover:underline" download>
      {label}
    </a>
  );
}

export default async function ReportsPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const { actor } = await requireStaff("reports:read");
  const { values, ignored } = pageParams(await searchParams, ["granularity", "from", "to", "at"] as const);
  ignored.push(...unusableRangeParams(values));
  // Only a usable day reaches the links and labels below.
  const params = { ...values, at: ignored.includes("at") ? undefined : values.at };
  const range = reportRange(params);
  const at = liabilityInstant(params.at);
  const db = getDb();
  const [flows, liabilityNow, liabilityThen, tiers, campaignRows] = await Promise.all([
    pointFlows(db, actor, { granularity: range.granularity, from: range.from, to: range.to }),
    liabilityAt(db, actor),
    params.at ? liabilityAt(db, actor, at) : Promise.resolve(null),
    membersPerTier(db, actor),
    campaignReport(db, actor),
  ]);
  const totals = flowTotals(flows);
  const query = new URLSearchParams({ granularity: range.granularity, from: range.fromText, to: range.toText }).toString();

  return (
    <>
      <PageHeader title="Reports" description="Figures from the ledger, in points; days and months are UTC." />
      <IgnoredParams names={ignored} />
      <form className="mb-6 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Report range">
        <SelectField density="compact" label="Group by" name="granularity" defaultValue={range.granularity} options={GRANULARITIES} />
        <Field density="compact" label="From" type="date" name="from" defaultValue={range.fromText} />
        <Field density="compact" label="To" type="date" name="to" defaultValue={range.toText} />
        <Field density="compact" label="Liability on" type="date" name="at" defaultValue={params.at} />
        <button type="submit" className={buttonClass("primary")}>
          Update
        </button>
      </form>

      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard
          label="Outstanding points now"
          value={points(liabilityNow.points)}
          hint={<CsvLink href="/staff/reports/export?table=liability" label="CSV" />}
        />
        <StatCard
          label="Of which pending"
          value={points(liabilityNow.pendingPoints ?? 0)}
          hint="In purchases' return windows: not redeemable yet, cancelled by a refund"
        />
        <StatCard
          label={liabilityThen ? `Outstanding on ${params.at}` : "Outstanding on a past date"}
          value={liabilityThen ? points(liabilityThen.points) : "—"}
          hint={liabilityThen ? <CsvLink href={`/staff/reports/export?table=liability&at=${params.at}`} label="CSV" /> : "Pick a date above"}
        />
        <StatCard label="Earned in range" value={points(totals.earned)} hint={`Redeemed ${points(totals.redeemed)}`} />
        <StatCard label="Breakage rate" value={percent(totals.breakageRate)} hint={`Expired ${points(totals.expired)} of ${points(totals.earned)} earned`} />
      </div>

      <Card
        title={`Points per ${range.granularity}`}
        action={<CsvLink href={`/staff/reports/export?table=flows&${query}`} label="Export CSV" />}
        className="mb-6"
      >
        <FlowChart rows={flows} />
        <div className="mt-4">
          <Table
            caption={`Points per ${range.granularity}`}
            head={["Period", "Earned", "Redeemed", "Expired", "Adjusted", "Reversed", "Net"]}
            empty="No ledger activity in this range."
          >
            {flows.map((r) => (
              <tr key={r.period}>
                <Td>{r.period}</Td>
                <Td numeric>{points(r.earned)}</Td>
                <Td numeric>{points(r.redeemed)}</Td>
                <Td numeric>{points(r.expired)}</Td>
                <Td numeric>{signedPoints(r.adjusted)}</Td>
                <Td numeric>{signedPoints(r.reversed)}</Td>
                <Td numeric>{signedPoints(r.net)}</Td>
              </tr>
            ))}
          </Table>
        </div>
      </Card>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Members per tier" action={<CsvLink href="/staff/reports/export?table=tiers" label="Export CSV" />}>
          <p className="mb-2 text-xs text-slate-500">
            {tiers.asOf ? `As of ${dateTime(tiers.asOf)} (nightly snapshot)` : "Counted now (no nightly snapshot yet)"}
          </p>
          <Table caption="Members per tier" head={["Tier", "Members"]}>
            {tiers.tiers.map((t) => (
              <tr key={t.tier}>
                <Td className="capitalize">{t.tier}</Td>
                <Td numeric>{points(t.members)}</Td>
              </tr>
            ))}
          </Table>
        </Card>
        <Card title="Campaign results" action={<CsvLink href="/staff/reports/export?table=campaigns" label="Export CSV" />} className="lg:col-span-2">
          <Table caption="Campaign results" head={["Campaign", "Multiplier", "Window", "Points awarded", "Members reached"]} empty="No campaign yet.">
            {campaignRows.map((c) => (
              <tr key={c.id}>
                <Td>{c.name}</Td>
                <Td numeric>{multiplier(c.multiplier)}</Td>
                <Td className="text-xs whitespace-nowrap">
                  {dateTime(c.startsAt)} – {dateTime(c.endsAt)}
                </Td>
                <Td numeric>{points(c.pointsAwarded)}</Td>
                <Td numeric>{points(c.membersReached)}</Td>
              </tr>
            ))}
          </Table>
        </Card>
      </div>
    </>
  );
}
