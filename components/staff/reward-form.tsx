import { SubmitButton } from "@/components/ui/submit-button";
import type { Reward } from "@/db/schema";
import type { StaffFormState } from "@/lib/forms/staff-form-state";
import { ActionForm } from "./action-form";
import { localInputValue } from "./format";
import { StaffField, StaffTextarea } from "./staff-field";

export function RewardForm({
  action,
  reward,
  submitLabel,
}: {
  action: (state: StaffFormState, form: FormData) => Promise<StaffFormState>;
  reward?: Reward;
  submitLabel: string;
}) {
  return (
    <ActionForm action={action} resetOnSuccess={!reward} ariaLabel={reward ? "Edit reward" : "New reward"} className="space-y-3">
      {reward ? <input type="hidden" name="id" value={reward.id} /> : null}
      <StaffField label="Name" name="name" required maxLength={120} defaultValue={reward?.name} />
      <StaffTextarea label="Description" name="description" defaultValue={reward?.description} />
      <StaffField label="Image URL" name="imageUrl" type="url" placeholder="https://…" defaultValue={reward?.imageUrl ?? undefined} />
      <div className="grid gap-3 sm:grid-cols-2">
        <StaffField label="Points cost" name="pointsCost" inputMode="numeric" required defaultValue={reward ? String(reward.pointsCost) : undefined} />
        <StaffField
          label="Stock"
          name="stock"
          inputMode="numeric"
          hint="Empty: unlimited."
          defaultValue={reward?.stock != null ? String(reward.stock) : undefined}
        />
        <StaffField
          label="Available from (UTC)"
          name="startsAt"
          type="datetime-local"
          defaultValue={reward?.startsAt ? localInputValue(reward.startsAt, "UTC") : undefined}
        />
        <StaffField
          label="Available until (UTC)"
          name="endsAt"
          type="datetime-local"
          defaultValue={reward?.endsAt ? localInputValue(reward.endsAt, "UTC") : undefined}
        />
      </div>
      <input type="hidden" name="timeZone" value="UTC" />
      {reward ? (
        <input type="hidden" name="kind" value={reward.kind} />
      ) : (
        <label className="block text-sm font-medium text-slate-800">
          Kind
          <select name="kind" defaultValue="item" className="mt-1 block min-h-11 w-full rounded-lg border border-slate-300 px-3">
            <option value="item">Item (the shop hands it over)</option>
            <option value="coupon">Coupon (each redemption gets a code)</option>
          </select>
        </label>
      )}
      {!reward || reward.kind === "coupon" ? (
        <StaffField
          label="Coupon code prefix"
          name="codePrefix"
          hint="Coupons: codes are generated as PREFIX-XXXXXXXXXX when the uploaded pool is empty. Empty: only uploaded codes."
          defaultValue={reward?.codePrefix ?? undefined}
        />
      ) : null}
      {!reward ? <StaffTextarea label="Coupon codes (one per line or a CSV's first column)" name="codes" /> : null}
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="checkbox" name="active" defaultChecked={reward?.active ?? true} className="h-4 w-4 accent-indigo-700" />
        Active (members can redeem it in its window)
      </label>
      <SubmitButton pendingLabel="Saving…">{submitLabel}</SubmitButton>
    </ActionForm>
  );
}
