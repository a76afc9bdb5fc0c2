import Link from "next/link";
import { Card } from "@/components/ui/card";
import { requestApprovalReason, requestKind } from "@/components/staff/approval-reason";
import { dateTime, points, signedPoints } from "@/components/staff/format";
import { PageHeader, StatCard } from "@/components/staff/page-header";
import { getDb } from "@/db/client";
import { listPendingAdjustments } from "@/lib/loyalty/adjustments/adjustment-requests";
import { listCampaigns } from "@/lib/loyalty/campaigns/list-campaigns";
import { liabilityAt } from "@/lib/loyalty/reports/program-reports";
import { can } from "@/lib/loyalty/access/staff-permissions";
import { navLinksFor } from "./nav-links";
import { requireStaff } from "./staff-session";

export const metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

const DESCRIPTIONS: Record<string, string> = {
  "/staff/campaigns": "Schedule 2x/3x campaigns, pause or end them, preview what an order earns.",
  "/staff/rewards": "The catalog members redeem points for: cost, stock, availability.",
  "/staff/tiers": "Bronze/Silver/Gold thresholds and earn bonus; run the recalculation.",
  "/staff/members": "Find a member; adjust or reverse points; see their history.",
  "/staff/audit": "Every staff change, who made it and why.",
  "/staff/reports": "Liability, points per day and month, breakage, campaign results, CSV.",
};

export default async function StaffOverview() {
  const { user, actor } = await requireStaff();
  const db = getDb();
  const [campaigns, pending, liability] = await Promise.all([
    can(actor, "campaigns:read") ? listCampaigns(db, actor, { limit: 100 }) : null,
    can(actor, "members:support") ? listPendingAdjustments(db, actor, 10) : null,
    can(actor, "reports:read") ? liabilityAt(db, actor) : null,
  ]);
  const active = campaigns?.current.filter((c) => c.status === "active") ?? [];
  const scheduled = campaigns?.current.filter((c) => c.status === "scheduled") ?? [];
  const canApprove = can(actor, "adjustments:approve");

  return (
    <>
      <PageHeader title="Overview" description={`Signed in as ${user.email}.`} />
      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {liability ? <StatCard label="Outstanding points" value={points(liability.points)} hint="Points members hold now" /> : null}
        {campaigns ? <StatCard label="Active campaigns" value={active.length} hint={active.map((c) => c.name).join(", ") || "None running"} /> : null}
        {campaigns ? <StatCard label="Scheduled campaigns" value={scheduled.length} /> : null}
        {pending ? <StatCard label="Requests awaiting approval" value={pending.length} hint={canApprove ? "Approve below" : "An admin approves them"} /> : null}
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Sections">
          <ul className="divide-y divide-slate-100">
            {navLinksFor(user.roles)
              .filter((l) => l.href !== "/staff")
              .map((l) => (
                <li key={l.href} className="py-2">
                  <Link href={l.href} className="font-medium text-indigo-700 hover:underline">
                    {l.label}
                  </Link>
                  <p className="text-sm text-slate-600">{DESCRIPTIONS[l.href]}</p>
                </li>
              ))}
          </ul>
        </Card>
        {pending && pending.length > 0 ? (
          <Card title="Waiting for approval">
            <ul className="divide-y divide-slate-100 text-sm">
              {pending.map((p) => (
                <li key={p.id} className="py-2">
                  <Link href={`/staff/members/${encodeURIComponent(p.memberExternalId)}`} className="font-medium text-indigo-700 hover:underline">
                    {p.memberName ?? p.memberExternalId}
                  </Link>{" "}
                  {requestKind(p)} <strong className="tabular-nums">{signedPoints(p.points)}</strong> — {p.reason}
                  <span className="block text-xs text-amber-800">{requestApprovalReason(p)}</span>
                  <span className="block text-xs text-slate-600">
                    {p.requestedBy} · {dateTime(p.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
    </>
  );
}
