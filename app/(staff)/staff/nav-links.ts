import type { Role } from "@/db/schema";
import { rolesAllow, type Permission } from "@/lib/loyalty/access/staff-permissions";

const LINKS: readonly { href: string; label: string; permission?: Permission }[] = [
  { href: "/staff", label: "Overview" },
  { href: "/staff/campaigns", label: "Campaigns", permission: "campaigns:write" },
  { href: "/staff/rewards", label: "Rewards", permission: "rewards:write" },
  { href: "/staff/tiers", label: "Tiers", permission: "tiers:write" },
  { href: "/staff/program", label: "Programme", permission: "program:write" },
  { href: "/staff/earning-rules", label: "Earning rules", permission: "program:write" },
  { href: "/staff/members", label: "Members", permission: "members:support" },
  { href: "/staff/audit", label: "Audit log", permission: "audit:read" },
  { href: "/staff/reports", label: "Reports", permission: "reports:read" },
  { href: "/staff/dead-letters", label: "Dead letters", permission: "dead-letters:read" },
  { href: "/staff/api-keys", label: "API keys", permission: "api-keys:manage" },
  { href: "/staff/webhooks", label: "Webhooks", permission: "webhooks:manage" },
  { href: "/staff/import", label: "Import", permission: "ledger:import" },
  { href: "/staff/accounts", label: "Staff", permission: "staff:manage" },
];

/** The console sections this user's roles open; the pages check again on their own. */
export function navLinksFor(roles: readonly Role[]): { href: string; label: string }[] {
  return LINKS.filter((l) => !l.permission || rolesAllow(roles, l.permission)).map(({ href, label }) => ({ href, label }));
}
