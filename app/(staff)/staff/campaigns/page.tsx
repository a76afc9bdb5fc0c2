import Link from "next/link";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { ActionForm } from "@/components/staff/action-form";
import { CampaignForm } from "@/components/staff/campaign-form";
import { dateTime, multiplier, points } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { RowAction } from "@/components/staff/row-action";
import { StaffField, StaffSelect } from "@/components/staff/staff-field";
import { Badge, Table, Td } from "@/components/staff/table";
import { TimeZoneField } from "@/components/staff/time-zone-field";
import { getDb } from "@/db/client";
import { listCampaigns, type CampaignView } from "@/lib/loyalty/campaigns/list-campaigns";
import { requireStaff } from "../staff-session";
import { campaignStateAction, createCampaignAction, previewCampaignAction } from "./actions";

export const metadata = { title: "Campaigns" };
export const dynamic = "force-dynamic";

function audience(c: CampaignView): string {
  const events = c.eventTypes.length ? c.eventTypes.join(", ") : "all events";
  const tiers = c.tiers.length ? c.tiers.join(", ") : "all tiers";
  return `${events} · ${tiers}`;
}

function campaignRows(list: CampaignView[], showActions: boolean) {
  return list.map((c) => (
    <tr key={c.id}>
      <Td>
        <span className="font-medium text-slate-900">{c.name}</span>
        <span className="block text-xs text-slate-600">{audience(c)}</span>
      </Td>
      <Td numeric>{multiplier(c.multiplier)}</Td>
      <Td>
        <Badge tone={c.status}>{c.status}</Badge>
      </Td>
      <Td className="whitespace-nowrap">
        {dateTime(c.startsAt, c.timeZone)}
        <span className="block text-xs text-slate-600">to {dateTime(c.endsAt, c.timeZone)}</span>
      </Td>
      <Td numeric>{points(c.results.pointsAwarded)}</Td>
      <Td numeric>{points(c.results.membersReached)}</Td>
      {showActions ? (
        <Td>
          <div className="flex min-w-64 flex-wrap items-start gap-2">
            {c.status === "scheduled" ? (
              <Link href={`/staff/campaigns/${c.id}`} className="text-sm font-medium text-indigo-700 hover:underline">
                Edit
              </Link>
            ) : null}
            {c.status === "active" || c.status === "scheduled" ? (
              <RowAction action={campaignStateAction} fields={{ id: c.id, action: "pause" }} label="Pause" />
            ) : null}
            {c.status === "paused" ? <RowAction action={campaignStateAction} fields={{ id: c.id, action: "resume" }} label="Resume" /> : null}
            {c.status === "active" || c.status === "paused" ? (
              <RowAction action={campaignStateAction} fields={{ id: c.id, action: "end" }} label="End now" variant="danger" confirm={`End “${c.name}” now?`} />
            ) : null}
            {c.status !== "archived" ? (
              <RowAction
                action={campaignStateAction}
                fields={{ id: c.id, action: "archive" }}
                label="Archive"
                variant="ghost"
                confirm={`Archive “${c.name}”?`}
              />
            ) : null}
          </div>
        </Td>
      ) : null}
    </tr>
  ));
}

const HEAD = ["Campaign", "Multiplier", "Status", "Window", "Points awarded", "Members reached"];

export default async function CampaignsPage({ searchParams }: { searchParams: Promise<{ past?: string }> }) {
  const { actor } = await requireStaff("campaigns:write");
  const { past } = await searchParams;
  const pastCursor = past && /^\d{1,15}$/.test(past) ? Number(past) : null;
  const lists = await listCampaigns(getDb(), actor, { pastCursor });
  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Points multipliers for a window of time. When campaigns overlap, the highest multiplier that applies to an event wins."
      />
      <div className="space-y-6">
        <div className="space-y-6">
          <section aria-labelledby="current-heading">
            <h2 id="current-heading" className="mb-2 text-lg font-semibold text-slate-900">
              Active and scheduled
            </h2>
            <Table caption="Active, paused and scheduled campaigns" head={[...HEAD, "Actions"]} empty="No active or scheduled campaign.">
              {campaignRows(lists.current, true)}
            </Table>
          </section>
          <section aria-labelledby="past-heading">
            <h2 id="past-heading" className="mb-2 text-lg font-semibold text-slate-900">
              Past
            </h2>
            <Table caption="Ended and archived campaigns" head={[...HEAD, "Actions"]} empty="No past campaign.">
              {campaignRows(lists.past, true)}
            </Table>
            {lists.nextPastCursor ? (
              <Link href={`/staff/campaigns?past=${lists.nextPastCursor}`} className="mt-2 inline-block text-sm font-medium text-indigo-700 hover:underline">
                Older campaigns →
              </Link>
            ) : null}
          </section>
        </div>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="New campaign">
            <CampaignForm action={createCampaignAction} submitLabel="Schedule campaign" />
          </Card>
          <Card title="Preview earnings">
            <p className="mb-3 text-sm text-slate-600">
              What an order earns at a given time, with the campaigns and tier bonuses in force then (the same rules as real events).
            </p>
            <ActionForm action={previewCampaignAction} ariaLabel="Preview earnings" className="space-y-3">
              <StaffField label="Order amount" name="amount" inputMode="decimal" defaultValue="80.00" required />
              <StaffSelect
                label="Member tier"
                name="tier"
                defaultValue="silver"
                options={[
                  { value: "bronze", label: "Bronze" },
                  { value: "silver", label: "Silver" },
                  { value: "gold", label: "Gold" },
                ]}
              />
              <StaffField label="At" name="at" type="datetime-local" hint="Empty: now." />
              <TimeZoneField name="timeZone" />
              <SubmitButton variant="secondary" pendingLabel="Computing…">
                Preview
              </SubmitButton>
            </ActionForm>
          </Card>
        </div>
      </div>
    </>
  );
}
