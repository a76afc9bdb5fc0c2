import { z } from "zod";
import type { Executor } from "@/db/client";
import { tierCode, type TierCode } from "@/db/schema";
import { planAccrual } from "./accrual-plan";
import { findActiveCampaigns } from "./campaign-lookup";
import { CAMPAIGN_EVENT_TYPES, multiplierSchema } from "./campaign-input";
import { LoyaltyError } from "./errors";
import { MAX_AMOUNT_CENTS } from "./events";
import type { CampaignCandidate, CampaignEventType } from "./rules/multipliers";
import { toTenThousandths } from "./rules/points";
import { getProgramSettings, getTiers } from "./settings";
import { authorize, type Actor } from "./staff-permissions";
import { parseInput } from "./staff-validation";

export const previewInputSchema = z
  .object({
    eventType: z.enum(CAMPAIGN_EVENT_TYPES).default("purchase"),
    amountCents: z.coerce.number().int().min(0).max(MAX_AMOUNT_CENTS).default(0),
    tier: z.enum(tierCode.enumValues),
    at: z.coerce.date(),
  })
  .strict();

export interface EarnPreview {
  points: number;
  /** Campaign × tier bonus applied, as stored on the ledger row. */
  multiplier: number;
  /** The winning campaign; -1 is the draft being previewed. */
  campaignId: number | null;
}

/** A campaign that is not saved yet, to preview "what would this order earn if I created it". */
export interface DraftCampaign {
  multiplier: number;
  startsAt: Date;
  endsAt: Date;
  eventTypes: readonly CampaignEventType[];
  tiers: readonly TierCode[];
}

export const DRAFT_CAMPAIGN_ID = -1;

/**
 * "An order of 80.00 by a Silver member at this time earns N points": runs the accrual's own pure
 * planner (`planAccrual`) on a hypothetical member with the live programme settings, tier bonuses
 * and the campaigns active at that instant (plus an optional draft). Nothing is written.
 */
export async function previewEarn(ex: Executor, actor: Actor, input: unknown, draft?: DraftCampaign): Promise<EarnPreview> {
  authorize(actor, "campaigns:read");
  const { eventType, amountCents, tier, at } = parseInput(previewInputSchema, input);
  const [settings, tierRows, active] = await Promise.all([getProgramSettings(ex), getTiers(ex), findActiveCampaigns(ex, at)]);
  const campaigns: CampaignCandidate[] = [...active];
  if (draft) {
    multiplierSchema.parse(draft.multiplier);
    campaigns.push({ id: DRAFT_CAMPAIGN_ID, pausedAt: null, archivedAt: null, ...draft });
  }
  const memberId = 0;
  const plan = planAccrual(
    [
      {
        index: 0,
        occurredAt: at,
        fingerprint: "preview",
        event: {
          type: eventType,
          memberExternalId: "preview",
          referenceId: "preview",
          ...(eventType === "purchase" ? { amountCents } : {}),
        },
      },
    ],
    {
      actor: "preview",
      settings,
      tierMultipliersTt: new Map(tierRows.map((t) => [t.code, toTenThousandths(t.earnMultiplier)])),
      campaigns,
      membersByExternalId: new Map([["preview", { id: memberId, tier }]]),
      balances: new Map([[memberId, 0]]),
      lots: new Map(),
      existing: [],
      givenBack: new Map(),
      checkIns: new Map(),
      reservedIds: [1],
    },
  );
  const outcome = plan.outcomes.get(0);
  if (!outcome?.ok) throw new LoyaltyError("unprocessable", outcome ? outcome.error.message : "No outcome");
  const { points, multiplier, campaignId } = outcome.result;
  return { points, multiplier, campaignId };
}
