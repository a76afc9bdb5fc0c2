import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { campaigns, type Campaign } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { campaignFieldsSchema, campaignPatchSchema, resolveWindow, type CampaignWindow } from "./campaign-input";
import { campaignWindowError } from "../input/input-bounds";
import { campaignTermsJson } from "./campaign-json";
import { normalizeCampaign } from "./campaign-row";
import { campaignStatus, isEditable } from "./campaign-status";
import { afterCampaignsChanged } from "./campaigns-changed";
import { LoyaltyError } from "../errors";
import { authorize, actorLabel, type Actor } from "../access/staff-permissions";
import { checkRowId, parseInput } from "../input/parse-input";

export interface StaffContext {
  actor: Actor;
  now?: Date;
}

/** A start this far in the past is still "now" (a form filled in over a minute or two). */
const START_TOLERANCE_MS = 5 * 60 * 1000;

function windowOrThrow(startsAt: string, endsAt: string, timeZone: string, now: Date): CampaignWindow {
  const window = resolveWindow(startsAt, endsAt, timeZone);
  const fieldErrors = "fieldErrors" in window ? window.fieldErrors : {};
  if (!("fieldErrors" in window)) {
    // Backdating would hand the multiplier to late-arriving events that happened before anyone decided it.
    if (window.startsAt.getTime() < now.getTime() - START_TOLERANCE_MS) fieldErrors.startsAt = ["must not be in the past"];
    if (window.endsAt.getTime() <= now.getTime()) fieldErrors.endsAt = ["must be in the future"];
    const outOfRange = campaignWindowError(window.startsAt, window.endsAt, now);
    if (outOfRange) fieldErrors[outOfRange.field] ??= [outOfRange.message];
  }
  const fields = Object.keys(fieldErrors);
  if (fields.length > 0) {
    const field = fields[0]!;
    throw new LoyaltyError("unprocessable", `${field}: ${fieldErrors[field]![0]}`, { field, details: { fieldErrors } });
  }
  return window as CampaignWindow;
}

export async function createCampaign(db: Db, input: unknown, ctx: StaffContext): Promise<Campaign> {
  authorize(ctx.actor, "campaigns:write");
  const now = ctx.now ?? new Date();
  const fields = parseInput(campaignFieldsSchema, input);
  const window = windowOrThrow(fields.startsAt, fields.endsAt, fields.timeZone, now);
  const campaign = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(campaigns)
      .values({
        name: fields.name,
        multiplier: fields.multiplier,
        startsAt: window.startsAt,
        endsAt: window.endsAt,
        timeZone: fields.timeZone,
        eventTypes: fields.eventTypes,
        tiers: fields.tiers,
        categories: fields.categories,
        channels: fields.channels,
        createdBy: actorLabel(ctx.actor),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const created = normalizeCampaign(row!);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "campaign.create",
      targetType: "campaign",
      targetId: created.id,
      after: campaignTermsJson(created),
    });
    return created;
  });
  await afterCampaignsChanged();
  return campaign;
}

/**
 * Edits (only before the start) and/or one action: pause, resume, end (early), archive.
 * The row is locked so two staff members changing one campaign apply one after the other.
 */
export async function changeCampaign(db: Db, id: number, input: unknown, ctx: StaffContext): Promise<Campaign> {
  authorize(ctx.actor, "campaigns:write");
  checkRowId(id, "campaign_not_found", "campaign");
  const now = ctx.now ?? new Date();
  const { action, ...edits } = parseInput(campaignPatchSchema, input);
  const hasEdits = Object.values(edits).some((v) => v !== undefined);

  const campaign = await db.transaction(async (tx) => {
    const [locked] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for("update");
    if (!locked) throw new LoyaltyError("campaign_not_found", `No campaign ${id}`);
    const before = normalizeCampaign(locked);
    const changes: Partial<typeof campaigns.$inferInsert> = {};

    if (hasEdits) {
      if (!isEditable(before, now)) {
        throw new LoyaltyError("campaign_started", "A campaign can only be edited before it starts");
      }
      const timeZone = edits.timeZone ?? before.timeZone;
      const window = windowOrThrow(edits.startsAt ?? before.startsAt.toISOString(), edits.endsAt ?? before.endsAt.toISOString(), timeZone, now);
      Object.assign(changes, {
        name: edits.name ?? before.name,
        multiplier: edits.multiplier ?? before.multiplier,
        eventTypes: edits.eventTypes ?? before.eventTypes,
        tiers: edits.tiers ?? before.tiers,
        categories: edits.categories ?? before.categories,
        channels: edits.channels ?? before.channels,
        timeZone,
        ...window,
      });
    }
    if (action) Object.assign(changes, actionChanges(action, { ...before, ...changes } as Campaign, now));

    const [row] = await tx
      .update(campaigns)
      .set({ ...changes, updatedAt: now })
      .where(eq(campaigns.id, id))
      .returning();
    const after = normalizeCampaign(row!);
    await writeAudit(tx, {
      actor: ctx.actor,
      action: `campaign.${action ?? "update"}`,
      targetType: "campaign",
      targetId: id,
      before: campaignTermsJson(before),
      after: campaignTermsJson(after),
    });
    return after;
  });
  await afterCampaignsChanged();
  return campaign;
}

type CampaignAction = "pause" | "resume" | "end" | "archive";

function actionChanges(action: CampaignAction, c: Campaign, now: Date): Partial<typeof campaigns.$inferInsert> {
  const status = campaignStatus(c, now);
  const refuse = (message: string) => new LoyaltyError("conflict", message, { details: { status } });
  switch (action) {
    case "pause":
      if (status !== "active" && status !== "scheduled") throw refuse(`A ${status} campaign cannot be paused`);
      return { pausedAt: now };
    case "resume":
      if (status !== "paused") throw refuse(`Only a paused campaign can be resumed (this one is ${status})`);
      return { pausedAt: null };
    case "end":
      if (status === "scheduled") {
        throw new LoyaltyError("unprocessable", "This campaign has not started: archive it instead of ending it");
      }
      if (status !== "active" && status !== "paused") throw refuse(`A ${status} campaign cannot be ended`);
      return { endsAt: now };
    case "archive":
      if (status === "archived") throw refuse("The campaign is already archived");
      // Archiving a running campaign stops it now; the window keeps its true end for the record.
      return status === "active" || status === "paused" ? { archivedAt: now, endsAt: now } : { archivedAt: now };
  }
}

export const pauseCampaign = (db: Db, id: number, ctx: StaffContext) => changeCampaign(db, id, { action: "pause" }, ctx);
export const resumeCampaign = (db: Db, id: number, ctx: StaffContext) => changeCampaign(db, id, { action: "resume" }, ctx);
export const endCampaign = (db: Db, id: number, ctx: StaffContext) => changeCampaign(db, id, { action: "end" }, ctx);
export const archiveCampaign = (db: Db, id: number, ctx: StaffContext) => changeCampaign(db, id, { action: "archive" }, ctx);
