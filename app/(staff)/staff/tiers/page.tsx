import { Card } from "@/components/ui/card";
import { ActionForm } from "@/components/staff/action-form";
import { money } from "@/components/staff/format";
import { IntentButtons } from "@/components/staff/intent-buttons";
import { PageHeader } from "@/components/staff/page-header";
import { RecalculateButton } from "@/components/staff/recalculate-button";
import { StaffField } from "@/components/staff/staff-field";
import { getDb } from "@/db/client";
import { listTierSettings } from "@/lib/loyalty/program/tier-settings";
import { requireStaff } from "../staff-session";
import { tiersAction } from "./actions";

export const metadata = { title: "Tiers" };
export const dynamic = "force-dynamic";

const decimal = (minor: number) => (minor / 100).toFixed(2);

export default async function TiersPage() {
  const { actor } = await requireStaff("tiers:write");
  const tiers = await listTierSettings(getDb(), actor);
  return (
    <>
      <PageHeader
        title="Tiers"
        description="Members reach a tier by their purchase spend in the rolling 12 months. Each tier can add an earn bonus on purchase points. Each member's tier history is on their page under Members."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Thresholds and earn bonus" className="lg:col-span-2">
          <ActionForm action={tiersAction} ariaLabel="Tier thresholds" className="space-y-4">
            <div className="grid gap-4">
              {tiers.map((t, i) => (
                <fieldset key={t.code} className="grid gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-3">
                  <legend className="px-1 text-sm font-semibold text-slate-900">{t.name}</legend>
                  <p className="text-sm text-slate-600 sm:col-span-1">
                    Now from {money(t.minSpend12m)}
                    {t.earnMultiplier !== 1 ? `, bonus ${t.earnMultiplier}×` : ""}
                  </p>
                  {i === 0 ? (
                    <input type="hidden" name={`${t.code}.minSpend`} value="0" />
                  ) : (
                    <StaffField
                      label={`${t.name} from (spend, 12 months)`}
                      name={`${t.code}.minSpend`}
                      inputMode="decimal"
                      defaultValue={decimal(t.minSpend12m)}
                      required
                    />
                  )}
                  {i === 0 ? <p className="text-sm text-slate-600">Everyone starts here.</p> : null}
                  <StaffField
                    label={`${t.name} earn bonus (×)`}
                    name={`${t.code}.earnMultiplier`}
                    inputMode="decimal"
                    defaultValue={String(t.earnMultiplier)}
                    required
                  />
                </fieldset>
              ))}
            </div>
            <IntentButtons
              buttons={[
                { intent: "preview", label: "Preview changes", variant: "secondary" },
                { intent: "save", label: "Save" },
              ]}
            />
          </ActionForm>
        </Card>
        <Card title="Recalculate now">
          <p className="mb-3 text-sm text-slate-600">
            The nightly job recomputes each member&apos;s spend over 12 months and moves them between tiers. Run it now after changing thresholds.
          </p>
          <RecalculateButton />
          <p className="mt-4 text-xs text-slate-600">Tiers in use: {tiers.map((t) => `${t.name} ≥ ${money(t.minSpend12m)}`).join(" · ")}</p>
        </Card>
      </div>
    </>
  );
}
