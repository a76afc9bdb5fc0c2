import crypto from "node:crypto";

/** How long an emailed link stays valid. Short: it grants someone's points. */
export const MEMBER_LINK_TTL_MS = 30 * 60 * 1000;
/** A new link may be asked for once a minute, so the form cannot be used to flood an inbox. */
export const MEMBER_LINK_RESEND_COOLDOWN_MS = 60 * 1000;

const RAW_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The verification_tokens identifier of one user's pending member link. */
export function memberLinkIdentifier(userId: string): string {
  return `member-link:${userId}`;
}

/** Only the hash is stored: a copy of the table does not hand out working links. */
export function hashMemberLinkToken(raw: string): string {
  return crypto.createHash("sha256").update(raw).digest("hex");
}

export function isWellFormedMemberLinkToken(raw: unknown): raw is string {
  return typeof raw === "string" && RAW_TOKEN.test(raw);
}

/** 256 random bits, URL-safe (43 characters). */
export function newMemberLinkToken(): { raw: string; hash: string } {
  const raw = crypto.randomBytes(32).toString("base64url");
  return { raw, hash: hashMemberLinkToken(raw) };
}
