import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { CampaignForm } from "@/components/staff/campaign-form";
import { PageHeader } from "@/components/staff/page-header";
import { getDb } from "@/db/client";
import { getCampaign } from "@/lib/loyalty/campaigns/list-campaigns";
import { isEditable } from "@/lib/loyalty/campaigns/campaign-status";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { requireStaff } from "../../staff-session";
import { editCampaignAction } from "../actions";

export const metadata = { title: "Edit campaign" };
export const dynamic = "force-dynamic";

export default async function EditCampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor } = await requireStaff("campaigns:write");
  const { id } = await params;
  if (!/^\d{1,15}$/.test(id)) notFound();
  const campaign = await getCampaign(getDb(), actor, Number(id)).catch((error: unknown) => {
    if (isLoyaltyError(error) && error.code === "campaign_not_found") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader
        title={campaign.name}
        description={`Campaign #${campaign.id} · ${campaign.status}`}
        actions={
          <Link href="/staff/campaigns" className="text-sm font-medium text-indigo-700 hover:underline">
            ← All campaigns
          </Link>
        }
      />
      <Card className="max-w-2xl">
        {isEditable(campaign, new Date()) ? (
          <CampaignForm action={editCampaignAction} campaign={campaign} submitLabel="Save changes" />
        ) : (
          <Alert tone="info">This campaign has started: its terms can no longer change. You can still pause, end or archive it from the list.</Alert>
        )}
      </Card>
    </>
  );
}
