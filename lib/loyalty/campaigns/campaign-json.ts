import { z } from "zod";
import { campaignEventType, tierCode, type Campaign } from "@/db/schema";
import { CAMPAIGN_EVENT_TYPES } from "./campaign-input";
import type { CampaignView } from "./list-campaigns";

/** The API shape of a campaign, documented in the OpenAPI document from this schema. */
export const campaignJsonSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    multiplier: z.number().meta({ example: 3 }),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    timeZone: z.string().meta({ example: "America/New_York" }),
    eventTypes: z.array(z.enum(campaignEventType.enumValues)).meta({ description: "Empty = every event type" }),
    tiers: z.array(z.enum(tierCode.enumValues)).meta({ description: "Empty = every tier" }),
    categories: z.array(z.string()).meta({ description: "Empty = every purchase line; else only lines of these categories" }),
    channels: z.array(z.string()).meta({ description: "Empty = every channel" }),
    status: z.enum(["scheduled", "active", "paused", "ended", "archived"]),
    pausedAt: z.iso.datetime({ offset: true }).nullable(),
    archivedAt: z.iso.datetime({ offset: true }).nullable(),
    results: z.object({
      pointsAwarded: z.number().int(),
      membersReached: z.number().int(),
      transactions: z.number().int(),
    }),
  })
  .meta({ id: "Campaign" });

export type CampaignJson = z.infer<typeof campaignJsonSchema>;

/** A campaign's terms and pause/archive state with instants as ISO strings: the audit snapshot, and the API shape's core. */
export function campaignTermsJson(c: Campaign) {
  return {
    name: c.name,
    multiplier: c.multiplier,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    timeZone: c.timeZone,
    eventTypes: c.eventTypes,
    tiers: c.tiers,
    categories: c.categories,
    channels: c.channels,
    pausedAt: c.pausedAt?.toISOString() ?? null,
    archivedAt: c.archivedAt?.toISOString() ?? null,
  };
}

export function campaignJson(c: CampaignView): CampaignJson {
  return { id: c.id, ...campaignTermsJson(c), status: c.status, results: c.results };
}

const dateTimeDoc = z.string().meta({
  description: "An ISO 8601 instant with offset, or a wall-clock time without one (read in timeZone)",
  example: "2026-12-01T09:00",
});

/** Documentation twins of the request schemas in ./campaign-input (those carry transforms). */
export const createCampaignDocSchema = z
  .object({
    name: z.string().max(120),
    multiplier: z.union([z.number(), z.string()]).meta({ description: "Greater than 1, at most 10, two decimals", example: 3 }),
    startsAt: dateTimeDoc,
    endsAt: dateTimeDoc,
    timeZone: z.string().optional().meta({ description: "IANA zone; default UTC", example: "Europe/Paris" }),
    eventTypes: z.array(z.enum(CAMPAIGN_EVENT_TYPES)).optional(),
    tiers: z.array(z.enum(tierCode.enumValues)).optional(),
    categories: z.array(z.string()).optional().meta({ description: "Only purchase lines of these categories earn the multiplier" }),
    channels: z.array(z.string()).optional().meta({ description: "Only events from these channels" }),
  })
  .meta({ id: "CreateCampaignRequest" });

export const patchCampaignDocSchema = createCampaignDocSchema
  .partial()
  .extend({
    action: z
      .enum(["pause", "resume", "end", "archive"])
      .optional()
      .meta({ description: "Terms (name, multiplier, window, audience) can change only before the start" }),
  })
  .meta({ id: "PatchCampaignRequest" });

export const campaignListJsonSchema = z
  .object({
    current: z.array(campaignJsonSchema).meta({ description: "Scheduled, active and paused, soonest first" }),
    past: z.array(campaignJsonSchema).meta({ description: "Ended and archived, newest first" }),
    nextPastCursor: z.string().nullable(),
  })
  .meta({ id: "CampaignList" });
