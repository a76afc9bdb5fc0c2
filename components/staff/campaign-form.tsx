import { SubmitButton } from "@/components/ui/submit-button";
import type { Campaign } from "@/db/schema";
import type { StaffFormState } from "@/lib/forms/staff-form-state";
import { ActionForm } from "./action-form";
import { localInputValue } from "./format";
import { StaffCheckboxGroup, StaffField } from "./staff-field";
import { TimeZoneField } from "./time-zone-field";

const EVENT_TYPES = [
  { value: "purchase", label: "Purchases" },
  { value: "referral", label: "Referrals" },
  { value: "review", label: "Reviews" },
  { value: "login", label: "Daily logins" },
];
const TIERS = [
  { value: "bronze", label: "Bronze" },
  { value: "silver", label: "Silver" },
  { value: "gold", label: "Gold" },
];

/** Create or edit a campaign; times are wall-clock times in the chosen zone. */
export function CampaignForm({
  action,
  campaign,
  submitLabel,
}: {
  action: (state: StaffFormState, form: FormData) => Promise<StaffFormState>;
  campaign?: Campaign;
  submitLabel: string;
}) {
  const zone = campaign?.timeZone ?? "UTC";
  return (
    <ActionForm action={action} resetOnSuccess={!campaign} ariaLabel={campaign ? "Edit campaign" : "New campaign"} className="space-y-4">
      {campaign ? <input type="hidden" name="id" value={campaign.id} /> : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <StaffField label="Name" name="name" required maxLength={120} defaultValue={campaign?.name} />
        <StaffField
          label="Multiplier"
          name="multiplier"
          required
          inputMode="decimal"
          placeholder="e.g. 2 or 1.5"
          hint="More than 1, at most 10, two decimals."
          defaultValue={campaign ? String(campaign.multiplier) : undefined}
        />
        <StaffField
          label="Starts"
          name="startsAt"
          type="datetime-local"
          required
          defaultValue={campaign ? localInputValue(campaign.startsAt, zone) : undefined}
        />
        <StaffField label="Ends" name="endsAt" type="datetime-local" required defaultValue={campaign ? localInputValue(campaign.endsAt, zone) : undefined} />
        <TimeZoneField defaultValue={zone} />
      </div>
      <StaffCheckboxGroup
        legend="Applies to events"
        name="eventTypes"
        options={EVENT_TYPES}
        defaultValues={campaign?.eventTypes}
        hint="None ticked: every event type."
      />
      <StaffCheckboxGroup legend="Applies to tiers" name="tiers" options={TIERS} defaultValues={campaign?.tiers} hint="None ticked: every tier." />
      <SubmitButton pendingLabel="Saving…">{submitLabel}</SubmitButton>
    </ActionForm>
  );
}
