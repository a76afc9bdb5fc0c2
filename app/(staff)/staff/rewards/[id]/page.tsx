import Link from "next/link";
import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/staff/page-header";
import { RewardForm } from "@/components/staff/reward-form";
import { getDb } from "@/db/client";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { getReward } from "@/lib/loyalty/program/rewards";
import { requireStaff } from "../../staff-session";
import { addCouponCodesAction, updateRewardAction } from "../actions";
import { ActionForm } from "@/components/staff/action-form";
import { StaffTextarea } from "@/components/staff/staff-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { poolSize } from "@/db/queries/coupons";
import { LOW_POOL } from "@/lib/loyalty/program/coupon-rewards";

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
  const pool = reward.kind === "coupon" ? await poolSize(getDb(), reward.id) : 0;
  return (
    <>
      <PageHeader
        title={reward.name}
        description={`Reward #${reward.id}`}
        actions={
          <Link href="/staff/rewards" className="text-sm font-medium text-indigo-700 hover:underline">
            ← Catalog
          </Link>
        }
      />
      <Card className="max-w-2xl">
        <RewardForm action={updateRewardAction} reward={reward} submitLabel="Save changes" />
      </Card>
      {reward.kind === "coupon" ? (
        <Card title="Coupon codes" className="mt-6 max-w-2xl">
          <p className="mb-3 text-sm text-slate-700" data-testid="coupon-pool">
            {pool} codes left to give.
            {pool < LOW_POOL && !reward.codePrefix ? (
              <strong className="ml-1 text-red-700">The pool runs low: upload more codes, or redemptions will answer “out of stock”.</strong>
            ) : null}
            {pool === 0 && reward.codePrefix ? ` Codes are generated as ${reward.codePrefix}-XXXXXXXXXX meanwhile.` : null}
          </p>
          <ActionForm action={addCouponCodesAction} ariaLabel="Add coupon codes" resetOnSuccess className="space-y-3">
            <input type="hidden" name="id" value={reward.id} />
            <StaffTextarea label="Codes (one per line)" name="codes" />
            <label className="block text-sm font-medium text-slate-800">
              Or a CSV file (first column)
              <input type="file" name="file" accept=".csv,text/csv,text/plain" className="mt-1 block text-sm" />
            </label>
            <SubmitButton pendingLabel="Uploading…">Add codes</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
    </>
  );
}
