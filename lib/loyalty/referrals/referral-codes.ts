import { randomInt } from "node:crypto";
import type { Db, Executor, Tx } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { lockBalances } from "@/db/queries/balances";
import { getMemberByExternalId, getMemberById } from "@/db/queries/members";
import {
  emailsOfMembers,
  hasLedgerRows,
  insertReferral,
  listReferralsOf,
  membersByReferralCode,
  setReferralCodeIfNone,
  type ReferralListItem,
} from "@/db/queries/referrals";
import type { Member, Referral } from "@/db/schema";
import { LoyaltyError } from "../errors";
import { ensureMemberInTx } from "../members/ensure-member";
import { authorize, type Actor } from "../access/staff-permissions";
import { attributionRefusal, makeReferralCode, normalizeReferralCode } from "../rules/referrals";

/** The path a referral link points at; the edge puts the app's origin in front. */
export const referralLinkPath = (code: string) => `/sign-up?ref=${encodeURIComponent(code)}`;

async function liveMember(ex: Executor, externalId: string): Promise<Member> {
  const member = await getMemberByExternalId(ex, externalId);
  if (!member || member.erasedAt) throw new LoyaltyError("member_not_found", `No member with externalId ${externalId}.`);
  return member;
}

/** The member's code, made now if it has none (a code another member drew is drawn again). */
export async function referralCodeOf(db: Db, member: Pick<Member, "id" | "referralCode">): Promise<string> {
  if (member.referralCode) return member.referralCode;
  for (let attempt = 1; ; attempt++) {
    try {
      const code = await setReferralCodeIfNone(db, member.id, makeReferralCode(randomInt));
      if (code) return code;
      throw new Error(`member ${member.id} vanished while its referral code was made`);
    } catch (error) {
      if (pgErrorOf(error)?.code !== PG_UNIQUE_VIOLATION || attempt >= 5) throw error;
    }
  }
}

/** `GET /api/v1/members/{externalId}/referral` and the portal's Invite friends page. */
export async function getReferralLink(db: Db, externalId: string, origin: string): Promise<{ code: string; link: string }> {
  const member = await liveMember(db, externalId);
  const code = await referralCodeOf(db, member);
  return { code, link: `${origin.replace(/\/+$/, "")}${referralLinkPath(code)}` };
}

export interface MemberWithReferral {
  member: Member;
  created: boolean;
  referral: Referral | null;
}

/**
 * Creates the member (or finds it), attributed to the owner of `referralCode` in the same
 * transaction (docs/ledger.md, Referrals): an unknown code refuses the whole request (nothing is
 * created); a self-referral or a member who existed is kept as a refused record; a referee who
 * already has a record keeps it.
 */
export async function createMemberWithReferral(
  db: Db,
  input: { externalId: string; email?: string | null; name?: string | null; referralCode?: string },
  now: Date = new Date(),
): Promise<MemberWithReferral> {
  const code = input.referralCode === undefined ? undefined : normalizeReferralCode(input.referralCode);
  if (code === null) {
    throw new LoyaltyError("validation_failed", "referralCode is not a referral code (8 letters and digits).", { field: "referralCode" });
  }
  return db.transaction(async (tx) => {
    const referrer = code === undefined ? undefined : (await membersByReferralCode(tx, [code])).get(code);
    if (code !== undefined && !referrer) throw new LoyaltyError("unprocessable", "No member has this referral code.", { field: "referralCode" });
    const { member, created } = await ensureMemberInTx(tx, input);
    if (!referrer) return { member, created, referral: null };
    return { member, created, referral: await attributeInTx(tx, member.id, created, referrer, now) };
  });
}

/**
 * A sign-up's attribution inside the caller's transaction (the portal's sign-up with `?ref=`):
 * an unknown or malformed code attributes nothing (null) and refuses nothing.
 */
export async function attributeSignUpInTx(tx: Tx, memberId: number, created: boolean, referralCode: string, now: Date): Promise<Referral | null> {
  const code = normalizeReferralCode(referralCode);
  const referrer = code === null ? undefined : (await membersByReferralCode(tx, [code])).get(code);
  return referrer ? attributeInTx(tx, memberId, created, referrer, now) : null;
}

async function attributeInTx(tx: Tx, memberId: number, created: boolean, referrer: { id: number; code: string }, now: Date): Promise<Referral> {
  // Under the referee's balance lock, as the purchases that may decide the record.
  await lockBalances(tx, [memberId]);
  const [emails, hadRows] = await Promise.all([emailsOfMembers(tx, [memberId, referrer.id]), hasLedgerRows(tx, memberId)]);
  const refusal = attributionRefusal({
    refereeId: memberId,
    referrerId: referrer.id,
    refereeEmails: emails.get(memberId) ?? [],
    referrerEmails: emails.get(referrer.id) ?? [],
    existedBefore: !created,
    hadLedgerRows: hadRows,
  });
  const { referral } = await insertReferral(tx, {
    referrerMemberId: referrer.id,
    refereeMemberId: memberId,
    code: referrer.code,
    source: "signup",
    status: refusal ? "refused" : "pending",
    refusalReason: refusal,
    createdAt: now,
  });
  return referral;
}

/** A member's referrals both ways, for the portal (the member's own) and the console (support). */
export async function referralsOfMember(ex: Executor, externalId: string): Promise<ReferralListItem[]> {
  const member = await liveMember(ex, externalId);
  return listReferralsOf(ex, member.id);
}

/** The portal's Invite friends page: the signed-in member's code, link and referrals. */
export async function invitePageOf(db: Db, memberId: number, origin: string): Promise<{ code: string; link: string; referrals: ReferralListItem[] }> {
  const member = await getMemberById(db, memberId);
  if (!member || member.erasedAt) throw new LoyaltyError("member_not_found", "No such member.");
  const [link, list] = await Promise.all([getReferralLink(db, member.externalId, origin), listReferralsOf(db, member.id)]);
  return { ...link, referrals: list };
}

/** The console's member page (support): the member's referrals both ways, with their outcomes. */
export async function memberReferrals(ex: Executor, actor: Actor, memberId: number): Promise<ReferralListItem[]> {
  authorize(actor, "members:support");
  return listReferralsOf(ex, memberId);
}
