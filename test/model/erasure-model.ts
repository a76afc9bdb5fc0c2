/**
 * Erasure in the reference model (docs/ledger.md, Erased members; docs/privacy.md), on its own so
 * it composes with ledger-model.ts without changing it. An erased member is no member by its old
 * external id: its state and rows move to a tombstone key, so events, redemptions and holds by the
 * old id answer member_not_found, while its balance and rows stay in the books unchanged (the
 * liability is the same sum). Its live holds are voided. The old external id is free: a new member
 * may take it, with nothing of the erased one, and a replay of an erased member's reference under
 * it is reference_conflict (the rows keep their keys). A repeat answers the first erasure.
 */
import type { Refusal } from "./ledger-model";
import type { ModelState } from "./model-state";

/** Tombstone key of the n-th erasure; the system's tombstone is erased:<member id>, which the model does not know. */
export const tombstoneKey = (n: number) => `erased#${n}`;

export interface ErasureModel {
  /** Old external id → tombstone keys of the members erased under it, oldest first. */
  erased: Map<string, string[]>;
  count: number;
}

export const newErasureModel = (): ErasureModel => ({ erased: new Map(), count: 0 });

export type EraseAnswer = { ok: true; alreadyErased: boolean; tombstone: string } | Refusal;

export function eraseMember(state: ModelState, model: ErasureModel, externalId: string): EraseAnswer {
  const live = state.members.get(externalId);
  if (!live) {
    // A repeat naming the old external id answers the first erasure under it.
    const first = model.erased.get(externalId)?.[0];
    return first ? { ok: true, alreadyErased: true, tombstone: first } : { ok: false, code: "member_not_found" };
  }
  const tombstone = tombstoneKey(++model.count);
  state.members.delete(externalId);
  state.members.set(tombstone, live);
  for (const row of state.rows) if (row.member === externalId) row.member = tombstone;
  for (const hold of state.holds) {
    if (hold.member !== externalId) continue;
    hold.member = tombstone;
    if (hold.status === "active") hold.status = "voided";
  }
  model.erased.set(externalId, [...(model.erased.get(externalId) ?? []), tombstone]);
  return { ok: true, alreadyErased: false, tombstone };
}

/** ensureMember: the existing live member, or a new one (a reused external id starts from nothing). */
export function ensureMember(state: ModelState, externalId: string): { created: boolean } {
  if (state.members.has(externalId)) return { created: false };
  state.members.set(externalId, { tier: state.config.tiers[0]!.code, balance: 0, totalEarned: 0, totalRedeemed: 0, tierSpend: 0, checkIns: new Map() });
  return { created: true };
}

/** The outstanding liability: every member's balance, erased ones included. */
export const liability = (state: ModelState) => [...state.members.values()].reduce((sum, m) => sum + m.balance, 0);
