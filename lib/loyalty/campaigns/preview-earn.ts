import { z } from "zod";
import type { Executor } from "@/db/client";
import { tierCode, type TierCode } from "@/db/schema";
import { planAccrual } from "../accrual/plan-accrual";
import { findActiveCampaigns } from "./find-active-campaigns";
import { CAMPAIGN_EVENT_TYPES, multiplierSchema } from "./campaign-input";
import { findCapsInForce, findRulesInForce } from "@/db/queries/earning-rules";
import { LoyaltyError } from "../errors";
import { MAX_AMOUNT_CENTS, MAX_ORDER_LINES, orderLineSchema } from "../accrual/event-input";
import type { CampaignCandidate, CampaignEventType } from "../rules/multipliers";
import { toTenThousandths } from "../rules/points";
import { getProgramSettings, getTiers } from "../program/get-program-settings";
import { authorize, type Actor } from "../access/staff-permissions";
import { parseInput } from "../input/parse-input";
import { boundedInstantSchema, isInstantInRange } from "../input/input-bounds";

export const previewInputSchema = z
  .object({
    eventType: z.enum(CAMPAIGN_EVENT_TYPES).default("purchase"),
    amountCents: z.coerce.number().int().min(0).max(MAX_AMOUNT_CENTS).default(0),
    tier: z.enum(tierCode.enumValues),
    // An ISO instant with its offset, a real calendar day, 1970-9999, like every instant at the edge: a
    // coerced Date let year 1 reach PostgreSQL and turned 30 February into 2 March (the fuzzer's finds).
    at: z.union([z.date().refine((d) => isInstantInRange(d), "must be between 1970-01-01 and 9999-12-31"), boundedInstantSchema.transform((s) => new Date(s))]),
    /** Order lines and channel, as a purchase event carries them (earning rules and campaign targets). */
    items: z.array(orderLineSchema).min(1).max(MAX_ORDER_LINES).optional(),
    channel: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .refine((p) => p.items === undefined || p.items.reduce((s, l) => s + l.amountCents, 0) === p.amountCents, {
    path: ["items"],
    message: "must add up to amountCents",
  });

export interface EarnPreview {
  points: number;
  /** Campaign × tier bonus applied, as stored on the ledger row. */
  multiplier: number;
  /** The winning campaign; -1 is the draft being previewed. */
  campaignId: number | null;
  /** As on a real event's result: earning rules that set a line's rate or gave a bonus, caps that cut the points (absent when none; the preview's member has earned nothing yet in any period). */
  appliedRules?: number[];
  cappedBy?: number[];
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
  const { eventType, amountCents, tier, at, items, channel } = parseInput(previewInputSchema, input);
  const [settings, tierRows, active, rules, caps] = await Promise.all([
    getProgramSettings(ex),
    getTiers(ex),
    findActiveCampaigns(ex, at),
    findRulesInForce(ex, at),
    findCapsInForce(ex, at),
  ]);
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
          ...(eventType === "purchase" && items ? { items } : {}),
          ...(channel ? { channel } : {}),
        },
      },
    ],
    {
      actor: "preview",
      settings,
      tierMultipliersTt: new Map(tierRows.map((t) => [t.code, toTenThousandths(t.earnMultiplier)])),
      campaigns,
      rules,
      caps,
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
  const { points, multiplier, campaignId, appliedRules, cappedBy } = outcome.result;
  return { points, multiplier, campaignId, ...(appliedRules ? { appliedRules } : {}), ...(cappedBy ? { cappedBy } : {}) };
}
