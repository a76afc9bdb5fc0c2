import { ActionForm } from "@/components/staff/action-form";
import { PageHeader } from "@/components/staff/page-header";
import { StaffField } from "@/components/staff/staff-field";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { getDb } from "@/db/client";
import { getProgramView } from "@/lib/loyalty/program-settings";
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
        description="Checkout settings: the return window during which a purchase's points stay pending, and how long a checkout hold reserves points. Every change is in the audit log."
      />
      <Card title="Checkout">
        <ActionForm action={programAction} ariaLabel="Programme settings" className="space-y-4">
          <StaffField
            label="Return window (days; 0 = off)"
            name="pendingDays"
            inputMode="numeric"
            defaultValue={String(program.pendingDays)}
            required
          />
          <p className="text-sm text-slate-600">
            Points of a purchase are pending, not redeemable, until the window closes, and a refund inside it cancels them. Their{" "}
            {program.expiryMonths}-month expiry starts when they vest. A change applies to purchases recorded from then on.
          </p>
          <StaffField label="Checkout holds last (seconds)" name="holdTtlSeconds" inputMode="numeric" defaultValue={String(program.holdTtlSeconds)} required />
          <StaffField label="Most points per transfer between members (0 = off)" name="transferMaxPoints" inputMode="numeric" defaultValue={String(program.transferMaxPoints)} required />
          <StaffField label="Most points a member may transfer in 24 hours" name="transferDailyMaxPoints" inputMode="numeric" defaultValue={String(program.transferDailyMaxPoints)} required />
          <StaffField label="Reason (for the audit log)" name="reason" />
          <SubmitButton>Save</SubmitButton>
        </ActionForm>
      </Card>
    </>
  );
}
