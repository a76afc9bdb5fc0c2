import Link from "next/link";
import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/staff/page-header";
import { RewardForm } from "@/components/staff/reward-form";
import { getDb } from "@/db/client";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { getReward } from "@/lib/loyalty/rewards";
import { requireStaff } from "../../staff-session";
import { updateRewardAction } from "../actions";

export const metadata = { title: "Edit reward" };
export const dynamic = "force-dynamic";

export default async function EditRewardPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor } = await requireStaff("rewards:write");
  const { id } = await params;
  if (!/^\d{1,15}$/.test(id)) notFound();
  const reward = await getReward(getDb(), actor, Number(id)).catch((error: unknown) => {
    if (isLoyaltyError(error) && error.code === "reward_not_found") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader title={reward.name} description={`Reward #${reward.id}`} actions={<Link href="/staff/rewards" className="text-sm font-medium text-indigo-700 hover:underline">← Catalog</Link>} />
      <Card className="max-w-2xl">
        <RewardForm action={updateRewardAction} reward={reward} submitLabel="Save changes" />
      </Card>
    </>
  );
}
