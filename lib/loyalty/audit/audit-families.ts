/**
 * The audit log's action families, for the audit page's "Kind" filter: each is a set of action
 * prefixes (an action is `<family>.<verb>`, e.g. `api_key.rotated`).
 */
export const AUDIT_FAMILIES = {
  "sign-in": { label: "Sign-ins (success, failure, throttled)", prefixes: ["auth."] },
  accounts: { label: "Staff accounts, roles, passwords", prefixes: ["user."] },
  "api-keys": { label: "API keys", prefixes: ["api_key."] },
  approvals: { label: "Approvals and requests", prefixes: ["adjustment.", "reversal."] },
  points: { label: "Points moved by staff", prefixes: ["points."] },
  "member-links": { label: "Members linked to accounts", prefixes: ["member.", "members."] },
  exports: { label: "Exports of personal data and reports", prefixes: ["export."] },
  program: { label: "Campaigns, rewards, tiers, earning rules", prefixes: ["campaign.", "reward.", "tiers.", "earning_rule.", "earning_cap."] },
} as const satisfies Record<string, { label: string; prefixes: readonly string[] }>;

export type AuditFamily = keyof typeof AUDIT_FAMILIES;

export function auditFamily(text: string | undefined): AuditFamily | undefined {
  return text !== undefined && Object.hasOwn(AUDIT_FAMILIES, text) ? (text as AuditFamily) : undefined;
}
