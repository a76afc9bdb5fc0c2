import { ActionForm } from "@/components/staff/action-form";
import { PageHeader } from "@/components/staff/page-header";
import { StaffField, StaffTextarea } from "@/components/staff/staff-field";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { getDb } from "@/db/client";
import { getProgramView } from "@/lib/loyalty/program/change-program-settings";
import { formatMoney } from "@/lib/portal/format";
import { requireStaff } from "../staff-session";
import { programAction } from "./actions";

export const metadata = { title: "Programme" };
export const dynamic = "force-dynamic";

export default async function ProgramPage() {
  const { actor } = await requireStaff("program:write");
  const program = await getProgramView(getDb(), actor);
  return (
    <>
      <PageHeader
        title="Programme"
        description="Checkout settings (the return window during which a purchase's points stay pending, how long a checkout hold reserves points), tier retention and tier benefits. Every change is in the audit log."
      />
      <Card title="Checkout and tiers">
        <ActionForm action={programAction} ariaLabel="Programme settings" className="space-y-4">
          <StaffField label="Return window (days; 0 = off)" name="pendingDays" inputMode="numeric" defaultValue={String(program.pendingDays)} required />
          <p className="text-sm text-slate-600">
            Points of a purchase are pending, not redeemable, until the window closes, and a refund inside it cancels them. Their {program.expiryMonths}-month
            expiry starts when they vest. A change applies to purchases recorded from then on.
          </p>
          <StaffField label="Checkout holds last (seconds)" name="holdTtlSeconds" inputMode="numeric" defaultValue={String(program.holdTtlSeconds)} required />
          <StaffField
            label="Most points per transfer between members (0 = off)"
            name="transferMaxPoints"
            inputMode="numeric"
            defaultValue={String(program.transferMaxPoints)}
            required
          />
          <StaffField
            label="Most points a member may transfer in 24 hours"
            name="transferDailyMaxPoints"
            inputMode="numeric"
            defaultValue={String(program.transferDailyMaxPoints)}
            required
          />
          <h3 className="pt-2 text-base font-semibold text-slate-900">Referrals</h3>
          <StaffField
            label="Points for the referrer"
            name="referrerRewardPoints"
            inputMode="numeric"
            defaultValue={String(program.referrerRewardPoints)}
            required
          />
          <StaffField
            label="Points for the friend"
            name="refereeRewardPoints"
            inputMode="numeric"
            defaultValue={String(program.refereeRewardPoints)}
            required
          />
          <StaffField
            label="A refund within this many days reverses both (0 = never)"
            name="referralRefundWindowDays"
            inputMode="numeric"
            defaultValue={String(program.referralRefundWindowDays)}
            required
          />
          <StaffField
            label="Most rewarded referrals per member per month"
            name="referralMonthlyLimit"
            inputMode="numeric"
            defaultValue={String(program.referralMonthlyLimit)}
            required
          />
          <p className="text-sm text-slate-600">
            Both are rewarded on the friend&apos;s first purchase, not at sign-up. Self-referrals, friends who were already members and referrals past the
            monthly limit are refused, with the reason kept.
          </p>
          <h3 className="pt-2 text-base font-semibold text-slate-900">Tier retention</h3>
          <StaffField
            label="Qualification period (months of spend that count)"
            name="tierQualificationMonths"
            inputMode="numeric"
            defaultValue={String(program.tierQualificationMonths)}
            required
          />
          <StaffField label="Grace period (days; 0 = off)" name="tierGraceDays" inputMode="numeric" defaultValue={String(program.tierGraceDays)} required />
          <p className="text-sm text-slate-600">
            A member whose spend falls below their tier&apos;s threshold keeps the tier until the grace ends, counted from the tier review that first finds them
            below, then drops one tier per review. A member who qualifies moves up at the next review. A new grace applies to graces that start from then on.
          </p>
          <h3 className="pt-2 text-base font-semibold text-slate-900">Tier benefits</h3>
          {program.tiers.map((tier) => (
            <fieldset key={tier.code} className="space-y-2 rounded-lg border border-slate-200 p-3">
              <legend className="px-1 text-sm font-semibold text-slate-800">
                {tier.name} (from {formatMoney(tier.minSpend12m, "en")})
              </legend>
              <StaffField
                label={`${tier.name} earn multiplier on purchases (1 = none; combined with the best campaign)`}
                name={`earnMultiplier_${tier.code}`}
                inputMode="decimal"
                defaultValue={String(tier.earnMultiplier)}
                required
              />
              <StaffTextarea
                label={`${tier.name} benefits shown to members (one per line)`}
                name={`benefits_${tier.code}`}
                defaultValue={tier.benefits.join("\n")}
                rows={3}
              />
            </fieldset>
          ))}
          <StaffField label="Reason (for the audit log)" name="reason" />
          <SubmitButton>Save</SubmitButton>
        </ActionForm>
      </Card>
    </>
  );
}
