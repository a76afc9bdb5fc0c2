import type { Role } from "@/db/schema";
import type { ApiScope } from "./api-keys";
import { LoyaltyError } from "../errors";

/**
 * Who is acting: a signed-in staff user (roles read from the database for this request) or an API
 * key (scopes). Every staff service takes one and checks it itself, so a page, a server action and
 * a REST route cannot forget the check.
 */
export type Actor =
  { kind: "user"; id: string; roles: readonly Role[] } | { kind: "api"; name: string; scopes: readonly ApiScope[] } | { kind: "system"; name: string };

/** What a staff console capability needs: any of these roles, or (for API keys) this scope. */
const PERMISSIONS = {
  "campaigns:read": { roles: ["marketing", "admin"], scopes: ["campaigns:read", "campaigns:write"] },
  "campaigns:write": { roles: ["marketing", "admin"], scopes: ["campaigns:write"] },
  "rewards:read": { roles: ["marketing", "admin"], scopes: ["rewards:read", "rewards:write"] },
  "rewards:write": { roles: ["marketing", "admin"], scopes: ["rewards:write"] },
  "tiers:write": { roles: ["marketing", "admin"], scopes: [] },
  "program:write": { roles: ["marketing", "admin"], scopes: ["program:write"] },
  "members:support": { roles: ["support", "admin"], scopes: [] },
  "members:export": { roles: ["support", "admin"], scopes: ["members:export"] },
  "members:erase": { roles: ["admin"], scopes: ["members:erase"] },
  "adjustments:approve": { roles: ["admin"], scopes: [] },
  "audit:read": { roles: ["admin"], scopes: [] },
  "reports:read": { roles: ["admin"], scopes: [] },
  "dead-letters:read": { roles: ["admin"], scopes: [] },
  "staff:manage": { roles: ["admin"], scopes: [] },
  "api-keys:manage": { roles: ["admin"], scopes: [] },
  "webhooks:manage": { roles: ["admin"], scopes: [] },
  "ledger:import": { roles: ["admin"], scopes: [] },
} as const satisfies Record<string, { roles: readonly Role[]; scopes: readonly ApiScope[] }>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesAllow(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission].roles;
  return roles.some((role) => allowed.includes(role));
}

export function can(actor: Actor, permission: Permission): boolean {
  switch (actor.kind) {
    case "user":
      return rolesAllow(actor.roles, permission);
    case "api": {
      const scopes: readonly ApiScope[] = PERMISSIONS[permission].scopes;
      return actor.scopes.some((scope) => scopes.includes(scope));
    }
    case "system":
      return true;
  }
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new LoyaltyError("forbidden", `Not allowed: ${permission} needs the role ${PERMISSIONS[permission].roles.join(" or ")}`);
  }
}

/** The audit log's and the ledger's `created_by` spelling of an actor. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return `user:${actor.id}`;
    case "api":
      return `api:${actor.name}`;
    case "system":
      return `job:${actor.name}`;
  }
}
