import type { Role } from "@/db/schema";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";

export const userActor = (id: string, ...roles: Role[]): Actor => ({ kind: "user", id, roles });

export const marketing = userActor("u-marketing", "marketing");
export const support = userActor("u-support", "support");
export const admin = userActor("u-admin", "admin");
export const secondAdmin = userActor("u-admin-2", "admin");
export const member = userActor("u-member", "member");
export const nobody = userActor("u-nobody");
