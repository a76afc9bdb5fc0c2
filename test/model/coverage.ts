/**
 * Which of the interesting combinations a step hit, judged on the model (before and after it
 * applied the operation), so a run can show that its generators reach them: refunds after expiry,
 * after a reversal, after redemptions, over-refunds, replays, negative balances, stock running out,
 * login streaks, clock jumps over the tier window, tier moves.
 */
import { givenBack } from "./ledger-model";
import type { ModelState } from "./model-state";
import type { Answer, Op } from "./ops";

export function tagsBefore(op: Op, state: ModelState): string[] {
  const tags: string[] = [];
  if (op.kind === "events") {
    for (const e of op.events) {
      if (e.type !== "refund") continue;
      const purchase = state.byKey.get(`purchase:${e.originalRef}`);
      if (!purchase) continue;
      const g = givenBack(state, purchase);
      if (state.rows.some((r) => r.type === "expire" && r.related === purchase.key)) tags.push("refund after its points expired");
      if (state.byKey.has(`reversal:${purchase.key}`)) tags.push("refund after a staff reversal");
      if (g.refundedCents > 0) tags.push("refund after an earlier refund");
      if (state.allocations.some((a) => a.lot === purchase.key && a.debit.startsWith("redemption:"))) tags.push("refund after a redemption from its lot");
      if (purchase.occurredAt <= state.now - 365 * 86_400_000) tags.push("refund of a purchase outside the tier window");
    }
  }
  if (op.kind === "advance" && op.ms >= 365 * 86_400_000) tags.push("clock jump over 12 months");
  if (op.kind === "transfer" && (state.members.get(op.to)?.balance ?? 0) < 0) tags.push("transfer to a member in debt");
  if (
    (op.kind === "redeem" || op.kind === "transfer" || op.kind === "hold") &&
    [...state.rows].some((r) => r.remaining! > 0 && r.vestsAt != null && r.vestsAt > state.now)
  ) {
    tags.push(`${op.kind} while points are pending`);
  }
  if (op.kind === "reverse" && op.target?.startsWith("purchase:") && state.rows.some((r) => r.related === op.target && r.key.startsWith("refund:"))) {
    tags.push("reversal of a refunded purchase");
  }
  return tags;
}

export function tagsAfter(op: Op, answer: Answer, state: ModelState): string[] {
  const tags: string[] = [];
  const refusals: string[] = [];
  if (answer.kind === "events") {
    answer.outcomes.forEach((o, i) => {
      if (!o.ok) refusals.push(o.code);
      else {
        if (o.duplicate) tags.push("replay answered as a duplicate");
        if (o.alreadyCheckedIn) tags.push("second login the same day");
        const e = op.kind === "events" ? op.events[i]! : undefined;
        if (e?.type === "login" && o.points >= 60) tags.push("login streak bonus");
        if (e?.type === "purchase" && o.campaign !== null && !o.duplicate) tags.push("purchase under a campaign");
        if (e?.type === "purchase" && o.multiplierTt % 20_000 !== 0 && o.multiplierTt !== 10_000 && !o.duplicate) tags.push("purchase with a tier bonus");
        if (e?.type === "refund" && o.points === 0 && !o.duplicate) tags.push("refund debiting 0 points");
        // § Earning rules and caps.
        if (e?.items && e.type === "purchase" && !o.duplicate) tags.push("purchase with order lines");
        if (e?.items && e.type === "refund" && !o.duplicate) tags.push("refund of lines");
        if (e?.channel && !o.duplicate) tags.push("event with a channel");
        if (e?.type === "review" && o.transaction === null) tags.push("review capped");
        if (e?.type === "purchase" && !e.items && o.points === 0 && (e.amountCents ?? 0) >= 100 && !o.duplicate) tags.push("purchase capped to 0 points");
      }
    });
  } else if (answer.kind === "balance" || answer.kind === "reverse" || answer.kind === "hold" || answer.kind === "transfer") {
    if (!answer.answer.ok) refusals.push(`${op.kind} ${answer.answer.code}`);
    else if (answer.answer.duplicate) tags.push(`${op.kind} replay answered as a duplicate`);
    else if (answer.kind === "hold") tags.push(`${op.kind} done`);
    else if (answer.kind === "transfer") tags.push("transfer done");
    if (answer.kind === "balance" && answer.answer.ok && answer.answer.couponCode)
      tags.push(answer.answer.couponCode.endsWith("-*") ? "coupon code generated" : "coupon code from the pool");
  } else if (answer.kind === "vest" && answer.lotsVested > 0) tags.push("vesting job recorded lots");
  else if (answer.kind === "expire" && answer.lotsExpired > 0) tags.push("expiry job expired lots");
  else if (answer.kind === "tiers" && answer.upgraded + answer.downgraded > 0) tags.push("tier job moved members");
  for (const code of refusals) tags.push(`refused: ${code}`);
  if ([...state.members.values()].some((m) => m.balance < 0)) tags.push("a negative balance");
  return tags;
}
