import type { Role } from "@/db/schema";

/** Password of every demo account; printed at start-up, so never used outside a demo database. */
export const DEMO_PASSWORD = "loyalty-demo";

/** Demo members' external ids start with this; any other member makes the database "real". */
export const DEMO_MEMBER_PREFIX = "demo-";

export interface DemoAccount {
  email: string;
  name: string;
  roles: Role[];
  /** The member row this sign-in is linked to (members only). */
  memberExternalId?: string;
  what: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: "member@example.com",
    name: "Mia Morgan",
    roles: ["member"],
    memberExternalId: "demo-0001",
    what: "member portal: balance, history, rewards, inbox",
  },
  { email: "marketing@example.com", name: "Max Marsh", roles: ["marketing"], what: "campaigns, rewards, tiers" },
  { email: "support@example.com", name: "Sam Sutton", roles: ["support"], what: "member lookup, adjustments" },
  {
    email: "admin@example.com",
    name: "Ada Adler",
    roles: ["admin", "marketing", "support"],
    what: "everything: approvals, audit log, reports",
  },
];
