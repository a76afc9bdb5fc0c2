import { asc, eq } from "drizzle-orm";
import type { Db, Executor } from "@/db/client";
import { earningCaps, earningRules, type EarningCap, type EarningRule } from "@/db/schema";
import { writeAudit } from "../audit/audit-log";
import { earningCapFieldsSchema, earningCapPatchSchema, earningRuleFieldsSchema, earningRulePatchSchema, retireSchema } from "./earning-rule-input";
import { LoyaltyError } from "../errors";
import { campaignWindowError } from "../input/input-bounds";
import { actorLabel, authorize, type Actor } from "../access/staff-permissions";
import { checkRowId, parseInput } from "../input/parse-input";

/**
 * Marketing's earning rules and caps (docs/ledger.md, "Earning rules and caps"): created, scheduled,
 * changed before they start, retired; each change audited in its transaction with actor, reason,
 * before and after. The accrual reads them per batch (db/queries/earning-rules.ts).
 */

export interface EarningRuleContext {
  actor: Actor;
  now?: Date;
}

/** A start this far in the past is still "now" (a form filled in over a minute or two). */
const START_TOLERANCE_MS = 5 * 60 * 1000;

function unprocessable(field: string, message: string): never {
  throw new LoyaltyError("unprocessable", `${field}: ${message}`, { field, details: { fieldErrors: { [field]: [message] } } });
}

/** Backdating would hand points to late-arriving events that happened before anyone decided the rule. */
function checkWindow(startsAt: Date, endsAt: Date | null, now: Date, startChanged: boolean): void {
  if (startChanged && startsAt.getTime() < now.getTime() - START_TOLERANCE_MS) unprocessable("startsAt", "must not be in the past");
  if (endsAt !== null && endsAt.getTime() <= startsAt.getTime()) unprocessable("endsAt", "must be after the start");
  // The start is bounded with or without an end (an open-ended rule starting in 2200 was accepted).
  const outOfRange = campaignWindowError(startsAt, endsAt ?? startsAt, now);
  if (outOfRange) unprocessable(outOfRange.field, outOfRange.message);
}

export type RuleStatus = "scheduled" | "active" | "ended" | "retired";

export function ruleStatus(row: { startsAt: Date; endsAt: Date | null; retiredAt: Date | null }, now: Date): RuleStatus {
  if (row.retiredAt) return "retired";
  if (row.startsAt.getTime() > now.getTime()) return "scheduled";
  if (row.endsAt && row.endsAt.getTime() <= now.getTime()) return "ended";
  return "active";
}

export interface EarningRuleView {
  id: number;
  name: string;
  skus: string[];
  categories: string[];
  channels: string[];
  minSpendCents: number | null;
  pointsPerCurrencyUnit: number | null;
  bonusPoints: number | null;
  startsAt: string;
  endsAt: string | null;
  retiredAt: string | null;
  status: RuleStatus;
}

export interface EarningCapView {
  id: number;
  name: string;
  eventType: string | null;
  maxAwardsPerMember: number | null;
  maxPoints: number | null;
  period: string;
  startsAt: string;
  endsAt: string | null;
  retiredAt: string | null;
  status: RuleStatus;
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export function ruleView(r: EarningRule, now = new Date()): EarningRuleView {
  return {
    id: r.id,
    name: r.name,
    skus: r.skus,
    categories: r.categories,
    channels: r.channels,
    minSpendCents: r.minSpendCents,
    pointsPerCurrencyUnit: r.pointsPerCurrencyUnit,
    bonusPoints: r.bonusPoints,
    startsAt: r.startsAt.toISOString(),
    endsAt: isoOrNull(r.endsAt),
    retiredAt: isoOrNull(r.retiredAt),
    status: ruleStatus(r, now),
  };
}

export function capView(c: EarningCap, now = new Date()): EarningCapView {
  return {
    id: c.id,
    name: c.name,
    eventType: c.eventType,
    maxAwardsPerMember: c.maxAwardsPerMember,
    maxPoints: c.maxPoints,
    period: c.period,
    startsAt: c.startsAt.toISOString(),
    endsAt: isoOrNull(c.endsAt),
    retiredAt: isoOrNull(c.retiredAt),
    status: ruleStatus(c, now),
  };
}

/** Terms only (no status): what the audit entry's before/after record. */
const ruleTerms = (r: EarningRule): Omit<EarningRuleView, "status"> => {
  const terms: Partial<EarningRuleView> = ruleView(r);
  delete terms.status;
  return terms as Omit<EarningRuleView, "status">;
};
const capTerms = (c: EarningCap): Omit<EarningCapView, "status"> => {
  const terms: Partial<EarningCapView> = capView(c);
  delete terms.status;
  return terms as Omit<EarningCapView, "status">;
};

export async function listEarningRules(ex: Executor, actor: Actor, now = new Date()): Promise<{ rules: EarningRuleView[]; caps: EarningCapView[] }> {
  authorize(actor, "program:write");
  const [rules, caps] = await Promise.all([
    ex.select().from(earningRules).orderBy(asc(earningRules.id)),
    ex.select().from(earningCaps).orderBy(asc(earningCaps.id)),
  ]);
  return { rules: rules.map((r) => ruleView(r, now)), caps: caps.map((c) => capView(c, now)) };
}

export async function createEarningRule(db: Db, input: unknown, ctx: EarningRuleContext): Promise<EarningRuleView> {
  authorize(ctx.actor, "program:write");
  const now = ctx.now ?? new Date();
  const f = parseInput(earningRuleFieldsSchema, input);
  const startsAt = f.startsAt ? new Date(f.startsAt) : now;
  const endsAt = f.endsAt ? new Date(f.endsAt) : null;
  checkWindow(startsAt, endsAt, now, f.startsAt !== undefined);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(earningRules)
      .values({
        name: f.name,
        skus: f.skus,
        categories: f.categories,
        channels: f.channels,
        minSpendCents: f.minSpendCents ?? null,
        pointsPerCurrencyUnit: f.pointsPerCurrencyUnit ?? null,
        bonusPoints: f.bonusPoints ?? null,
        startsAt,
        endsAt,
        createdBy: actorLabel(ctx.actor),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_rule.create",
      targetType: "earning_rule",
      targetId: row!.id,
      reason: f.reason ?? null,
      after: ruleTerms(row!),
    });
    return ruleView(row!, now);
  });
}

/**
 * Changes a rule, locked so two staff members apply one after the other. In force (started), only
 * its name and end can change (ending it early, or later): what it already did to the ledger stays
 * explained by the terms the audit recorded. A retired rule does not change.
 */
export async function changeEarningRule(db: Db, id: number, input: unknown, ctx: EarningRuleContext): Promise<EarningRuleView> {
  authorize(ctx.actor, "program:write");
  checkRowId(id, "not_found", "earning rule");
  const now = ctx.now ?? new Date();
  const patch = parseInput(earningRulePatchSchema, input);
  const { reason, ...fields } = patch;
  const named = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (named.length === 0) throw new LoyaltyError("validation_failed", "Name at least one field to change.", { field: "name" });
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(earningRules).where(eq(earningRules.id, id)).for("update");
    if (!before) throw new LoyaltyError("not_found", "No such earning rule.", { field: "id" });
    if (before.retiredAt) throw new LoyaltyError("conflict", "This rule is retired: create a new one.", { field: "id" });
    const started = before.startsAt.getTime() <= now.getTime();
    if (started) {
      const locked = named.find(([k]) => k !== "name" && k !== "endsAt");
      if (locked) unprocessable(locked[0], "cannot change once the rule has started: retire it and create a new one");
    }
    const next = {
      ...before,
      ...(fields as Partial<EarningRule>),
      startsAt: fields.startsAt ? new Date(fields.startsAt) : before.startsAt,
      endsAt: fields.endsAt === undefined ? before.endsAt : fields.endsAt === null ? null : new Date(fields.endsAt),
    };
    if (next.pointsPerCurrencyUnit === null && next.bonusPoints === null) unprocessable("pointsPerCurrencyUnit", "or bonusPoints is required");
    checkWindow(next.startsAt, next.endsAt, now, fields.startsAt !== undefined);
    if (started && next.endsAt && next.endsAt.getTime() < now.getTime() - START_TOLERANCE_MS) unprocessable("endsAt", "must not be in the past");
    const [after] = await tx
      .update(earningRules)
      .set({
        name: next.name,
        skus: next.skus,
        categories: next.categories,
        channels: next.channels,
        minSpendCents: next.minSpendCents,
        pointsPerCurrencyUnit: next.pointsPerCurrencyUnit,
        bonusPoints: next.bonusPoints,
        startsAt: next.startsAt,
        endsAt: next.endsAt,
        updatedAt: now,
      })
      .where(eq(earningRules.id, id))
      .returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_rule.update",
      targetType: "earning_rule",
      targetId: id,
      reason: reason ?? null,
      before: ruleTerms(before),
      after: ruleTerms(after!),
    });
    return ruleView(after!, now);
  });
}

/** Retires a rule: from now on no event earns by it (whatever its occurredAt). Again: the same answer, nothing written. */
export async function retireEarningRule(db: Db, id: number, input: unknown, ctx: EarningRuleContext): Promise<EarningRuleView> {
  authorize(ctx.actor, "program:write");
  checkRowId(id, "not_found", "earning rule");
  const now = ctx.now ?? new Date();
  const { reason } = parseInput(retireSchema, input ?? {});
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(earningRules).where(eq(earningRules.id, id)).for("update");
    if (!before) throw new LoyaltyError("not_found", "No such earning rule.", { field: "id" });
    if (before.retiredAt) return ruleView(before, now);
    const [after] = await tx.update(earningRules).set({ retiredAt: now, updatedAt: now }).where(eq(earningRules.id, id)).returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_rule.retire",
      targetType: "earning_rule",
      targetId: id,
      reason: reason ?? null,
      before: ruleTerms(before),
      after: ruleTerms(after!),
    });
    return ruleView(after!, now);
  });
}

export async function createEarningCap(db: Db, input: unknown, ctx: EarningRuleContext): Promise<EarningCapView> {
  authorize(ctx.actor, "program:write");
  const now = ctx.now ?? new Date();
  const f = parseInput(earningCapFieldsSchema, input);
  const startsAt = f.startsAt ? new Date(f.startsAt) : now;
  const endsAt = f.endsAt ? new Date(f.endsAt) : null;
  checkWindow(startsAt, endsAt, now, f.startsAt !== undefined);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(earningCaps)
      .values({
        name: f.name,
        eventType: f.eventType ?? null,
        maxAwardsPerMember: f.maxAwardsPerMember ?? null,
        maxPoints: f.maxPoints ?? null,
        period: f.period,
        startsAt,
        endsAt,
        createdBy: actorLabel(ctx.actor),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_cap.create",
      targetType: "earning_cap",
      targetId: row!.id,
      reason: f.reason ?? null,
      after: capTerms(row!),
    });
    return capView(row!, now);
  });
}

/** A cap's name and end can change; its limit and period cannot (retire it and create another). */
export async function changeEarningCap(db: Db, id: number, input: unknown, ctx: EarningRuleContext): Promise<EarningCapView> {
  authorize(ctx.actor, "program:write");
  checkRowId(id, "not_found", "earning cap");
  const now = ctx.now ?? new Date();
  const { reason, ...fields } = parseInput(earningCapPatchSchema, input);
  if (fields.name === undefined && fields.endsAt === undefined)
    throw new LoyaltyError("validation_failed", "Name at least one field to change.", { field: "name" });
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(earningCaps).where(eq(earningCaps.id, id)).for("update");
    if (!before) throw new LoyaltyError("not_found", "No such earning cap.", { field: "id" });
    if (before.retiredAt) throw new LoyaltyError("conflict", "This cap is retired: create a new one.", { field: "id" });
    const endsAt = fields.endsAt === undefined ? before.endsAt : fields.endsAt === null ? null : new Date(fields.endsAt);
    checkWindow(before.startsAt, endsAt, now, false);
    const [after] = await tx
      .update(earningCaps)
      .set({ name: fields.name ?? before.name, endsAt, updatedAt: now })
      .where(eq(earningCaps.id, id))
      .returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_cap.update",
      targetType: "earning_cap",
      targetId: id,
      reason: reason ?? null,
      before: capTerms(before),
      after: capTerms(after!),
    });
    return capView(after!, now);
  });
}

export async function retireEarningCap(db: Db, id: number, input: unknown, ctx: EarningRuleContext): Promise<EarningCapView> {
  authorize(ctx.actor, "program:write");
  checkRowId(id, "not_found", "earning cap");
  const now = ctx.now ?? new Date();
  const { reason } = parseInput(retireSchema, input ?? {});
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(earningCaps).where(eq(earningCaps.id, id)).for("update");
    if (!before) throw new LoyaltyError("not_found", "No such earning cap.", { field: "id" });
    if (before.retiredAt) return capView(before, now);
    const [after] = await tx.update(earningCaps).set({ retiredAt: now, updatedAt: now }).where(eq(earningCaps.id, id)).returning();
    await writeAudit(tx, {
      actor: ctx.actor,
      action: "earning_cap.retire",
      targetType: "earning_cap",
      targetId: id,
      reason: reason ?? null,
      before: capTerms(before),
      after: capTerms(after!),
    });
    return capView(after!, now);
  });
}
