import { and, eq, exists, gt, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor, Tx } from "@/db/client";
import { PG_UNIQUE_VIOLATION, pgErrorOf } from "@/db/errors";
import { userRoles, users, verificationTokens, type Role } from "@/db/schema";
import { writeAudit } from "@/lib/loyalty/audit/audit-log";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { actorLabel, authorize, type Actor } from "@/lib/loyalty/access/staff-permissions";
import { hashPassword } from "./password";
import { issuePasswordLink, newPasswordSchema, passwordLinkIdentifier } from "./password-link";

/**
 * Staff accounts and their roles: created, granted and revoked by an admin on the staff page or by
 * the operator's command line ("cli", who already holds the database credentials; it creates the
 * first admin). Every change is checked here, whoever calls, and audited in the same transaction.
 */
export const STAFF_ROLES = ["admin", "support", "marketing"] as const satisfies readonly Role[];
export type StaffRole = (typeof STAFF_ROLES)[number];
export type StaffManager = Actor | "cli";

export interface StaffAccount {
  id: string;
  email: string | null;
  name: string | null;
  roles: Role[];
  passwordSet: boolean;
  /** A one-time link to set the password that has not been used and has not expired. */
  linkPending: boolean;
  createdAt: Date;
}

function authorizeManager(manager: StaffManager): void {
  if (manager !== "cli") authorize(manager, "staff:manage");
}

function label(manager: StaffManager): string {
  return manager === "cli" ? "cli" : actorLabel(manager);
}

function invalid(field: string, message: string): never {
  throw new LoyaltyError("validation_failed", message, { field, details: { fieldErrors: { [field]: [message] } } });
}

const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());

export function parseStaffEmail(text: unknown): string {
  const parsed = emailSchema.safeParse(text);
  if (!parsed.success) invalid("email", "Enter a valid email address.");
  return parsed.data;
}

/** "admin,support" or ["admin", "support"] → staff roles, each once; `allowNone` for "take every role away". */
export function parseStaffRoles(input: string | readonly string[], options: { allowNone?: boolean } = {}): StaffRole[] {
  const names = (typeof input === "string" ? input.split(",") : input).map((r) => r.trim()).filter(Boolean);
  const unknown = names.filter((r) => !(STAFF_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) invalid("roles", `Unknown role(s): ${unknown.join(", ")} (staff roles: ${STAFF_ROLES.join(", ")}).`);
  if (names.length === 0 && !options.allowNone) invalid("roles", `Name at least one role: ${STAFF_ROLES.join(", ")}.`);
  return STAFF_ROLES.filter((r) => names.includes(r));
}

export function checkNewPassword(password: string): string {
  const parsed = newPasswordSchema.safeParse(password);
  if (!parsed.success) invalid("password", parsed.error.issues[0]!.message);
  return parsed.data;
}

function checkName(name: string | null | undefined): string | null {
  const trimmed = name?.trim() ?? "";
  if (trimmed.length > 100) invalid("name", "Use at most 100 characters.");
  return trimmed || null;
}

function checkOptionalReason(reason: string | null | undefined): string | null {
  const trimmed = reason?.trim() ?? "";
  if (trimmed.length > 1000) invalid("reason", "Use at most 1000 characters.");
  return trimmed || null;
}

async function rolesOf(ex: Executor, userId: string): Promise<Role[]> {
  const rows = await ex.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId));
  return rows.map((r) => r.role).sort();
}

type LockedUser = { id: string; email: string | null; passwordSet: boolean };
const lockedUser = { id: users.id, email: users.email, passwordSet: sql<boolean>`${users.passwordHash} is not null` };

async function lockUserByEmail(tx: Tx, email: string): Promise<LockedUser> {
  const [user] = await tx
    .select(lockedUser)
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    .for("update");
  if (!user) throw new LoyaltyError("not_found", `No account has the email ${email}.`, { field: "email" });
  return user;
}

async function lockUserById(tx: Tx, userId: string): Promise<LockedUser> {
  const [user] = await tx.select(lockedUser).from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw new LoyaltyError("not_found", "No such account.");
  return user;
}

export interface CreatedStaffAccount {
  user: { id: string; email: string; roles: StaffRole[] };
  /** Set when no password was given: the raw token of the one-time link, shown once. */
  passwordLink: { token: string; expiresAt: Date } | null;
}

/**
 * A new account with staff roles. With a password it can sign in at once; without one it gets a
 * one-time link to choose it (the caller shows the link once). An email already in use, in any
 * letter case, is refused: grant roles to that account instead.
 */
export async function createStaffAccount(
  db: Db,
  manager: StaffManager,
  input: { email: string; name?: string | null; roles: readonly string[]; password?: string | null; reason?: string | null },
  now: Date = new Date(),
): Promise<CreatedStaffAccount> {
  authorizeManager(manager);
  const email = parseStaffEmail(input.email);
  const name = checkName(input.name);
  const roles = parseStaffRoles(input.roles);
  const reason = checkOptionalReason(input.reason);
  const passwordHash = input.password == null ? null : await hashPassword(checkNewPassword(input.password));
  try {
    return await db.transaction(async (tx) => {
      const [taken] = await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = ${email}`)
        .limit(1);
      if (taken) throw emailTaken(email);
      const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning({ id: users.id });
      await tx.insert(userRoles).values(roles.map((role) => ({ userId: user!.id, role, grantedAt: now })));
      const passwordLink = passwordHash ? null : await issuePasswordLink(tx, user!.id, now);
      await writeAudit(tx, {
        actor: label(manager),
        action: "user.create",
        targetType: "user",
        targetId: user!.id,
        reason,
        before: null,
        after: { email, name, roles, password: passwordHash ? "set" : "one-time link" },
      });
      return { user: { id: user!.id, email, roles }, passwordLink };
    });
  } catch (error) {
    const pg = pgErrorOf(error);
    if (pg?.code === PG_UNIQUE_VIOLATION && /email/.test(pg.constraint ?? pg.message)) throw emailTaken(email);
    throw error;
  }
}

function emailTaken(email: string): LoyaltyError {
  return new LoyaltyError("conflict", `An account with the email ${email} already exists: grant it roles instead.`, {
    field: "email",
    details: { fieldErrors: { email: ["An account with this email already exists: grant it roles instead."] } },
  });
}

export interface RoleChange {
  userId: string;
  email: string | null;
  before: Role[];
  after: Role[];
}

type Target = { email: string } | { userId: string };

async function lockTarget(tx: Tx, target: Target) {
  return "email" in target ? lockUserByEmail(tx, parseStaffEmail(target.email)) : lockUserById(tx, target.userId);
}

/**
 * Sets the account's staff roles to exactly `roles` (its member role, if any, is left alone), in
 * one transaction with one audit entry per direction (user.grant_roles, user.revoke_roles).
 * The last admin cannot lose the role: the admin rows are locked first, so two admins revoking
 * each other at once cannot both succeed.
 */
async function changeRoles(
  db: Db,
  manager: StaffManager,
  target: Target,
  change: (current: readonly Role[]) => { grant: StaffRole[]; revoke: StaffRole[] },
  reason: string | null,
  now: Date,
): Promise<RoleChange> {
  authorizeManager(manager);
  return db.transaction(async (tx) => {
    // Admin rows first, in one order, whoever is the target: a revocation of admin counts the others safely.
    const admins = await tx.select({ userId: userRoles.userId }).from(userRoles).where(eq(userRoles.role, "admin")).orderBy(userRoles.userId).for("update");
    const user = await lockTarget(tx, target);
    const before = await rolesOf(tx, user.id);
    const { grant, revoke } = change(before);
    const granted = grant.filter((r) => !before.includes(r));
    const revoked = revoke.filter((r) => before.includes(r));
    if (revoked.includes("admin") && admins.filter((a) => a.userId !== user.id).length === 0) {
      throw new LoyaltyError("conflict", "This is the last administrator: grant admin to someone else first.", { field: "roles" });
    }
    if (granted.length > 0) {
      await tx
        .insert(userRoles)
        .values(granted.map((role) => ({ userId: user.id, role, grantedAt: now })))
        .onConflictDoNothing();
    }
    if (revoked.length > 0) {
      await tx.delete(userRoles).where(and(eq(userRoles.userId, user.id), inArray(userRoles.role, revoked)));
    }
    const after = await rolesOf(tx, user.id);
    const entry = { targetType: "user", targetId: user.id, actor: label(manager), reason };
    let middle = before;
    if (granted.length > 0) {
      middle = [...before, ...granted].sort();
      await writeAudit(tx, { ...entry, action: "user.grant_roles", before: { email: user.email, roles: before }, after: { email: user.email, roles: middle } });
    }
    if (revoked.length > 0) {
      await writeAudit(tx, { ...entry, action: "user.revoke_roles", before: { email: user.email, roles: middle }, after: { email: user.email, roles: after } });
    }
    return { userId: user.id, email: user.email, before, after };
  });
}

export function grantStaffRoles(
  db: Db,
  manager: StaffManager,
  input: Target & { roles: readonly string[]; reason?: string | null },
  now: Date = new Date(),
): Promise<RoleChange> {
  const roles = parseStaffRoles(input.roles);
  return changeRoles(db, manager, input, () => ({ grant: roles, revoke: [] }), checkOptionalReason(input.reason), now);
}

export function revokeStaffRoles(
  db: Db,
  manager: StaffManager,
  input: Target & { roles: readonly string[]; reason?: string | null },
  now: Date = new Date(),
): Promise<RoleChange> {
  const roles = parseStaffRoles(input.roles);
  return changeRoles(db, manager, input, () => ({ grant: [], revoke: roles }), checkOptionalReason(input.reason), now);
}

/** The staff page's "save roles": exactly these staff roles (none takes the account out of the staff). */
export function setStaffRoles(
  db: Db,
  manager: StaffManager,
  input: Target & { roles: readonly string[]; reason?: string | null },
  now: Date = new Date(),
): Promise<RoleChange> {
  const roles = parseStaffRoles(input.roles, { allowNone: true });
  return changeRoles(
    db,
    manager,
    input,
    (current) => ({ grant: roles, revoke: STAFF_ROLES.filter((r) => current.includes(r) && !roles.includes(r)) }),
    checkOptionalReason(input.reason),
    now,
  );
}

/** A new one-time link for a staff account (the old one stops working), e.g. when the first expired. */
export async function reissuePasswordLink(
  db: Db,
  manager: StaffManager,
  target: Target,
  now: Date = new Date(),
): Promise<{ userId: string; email: string | null; token: string; expiresAt: Date }> {
  authorizeManager(manager);
  return db.transaction(async (tx) => {
    const user = await lockTarget(tx, target);
    const roles = await rolesOf(tx, user.id);
    // Staff accounts only: a member's password is theirs to reset, not an admin's to hand out.
    if (!roles.some((r) => (STAFF_ROLES as readonly Role[]).includes(r))) {
      throw new LoyaltyError("conflict", "Only staff accounts get a password link from an administrator.");
    }
    // An admin on the page only completes an invitation: a link for an account that has a password
    // would let one admin take over another's account (and its approvals). The operator's command
    // line, who holds the database anyway, may reset one (e.g. the only admin's forgotten password).
    if (user.passwordSet && manager !== "cli") {
      throw new LoyaltyError("conflict", "This account has chosen its password: its owner resets it from the sign-in page.");
    }
    const link = await issuePasswordLink(tx, user.id, now);
    await writeAudit(tx, {
      actor: label(manager),
      action: "user.password_link",
      targetType: "user",
      targetId: user.id,
      after: { email: user.email, expiresAt: link.expiresAt.toISOString(), replacesPassword: Boolean(user.passwordSet) },
    });
    return { userId: user.id, email: user.email, ...link };
  });
}

/** Every account holding a staff role (or just `role`), by email. */
export async function listStaffAccounts(
  ex: Executor,
  manager: StaffManager,
  filter: { role?: StaffRole } = {},
  now: Date = new Date(),
): Promise<StaffAccount[]> {
  authorizeManager(manager);
  const roleFilter = filter.role ? [filter.role] : [...STAFF_ROLES];
  const rows = await ex
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      passwordSet: sql<boolean>`${users.passwordHash} is not null`,
      linkPending: exists(
        ex
          .select({ one: sql`1` })
          .from(verificationTokens)
          .where(and(eq(verificationTokens.identifier, sql`${passwordLinkIdentifier("")} || ${users.id}`), gt(verificationTokens.expires, now))),
      ).mapWith(Boolean),
      createdAt: users.createdAt,
    })
    .from(users)
    .where(
      exists(
        ex
          .select({ one: sql`1` })
          .from(userRoles)
          .where(and(eq(userRoles.userId, users.id), inArray(userRoles.role, roleFilter))),
      ),
    )
    .orderBy(users.email);
  if (rows.length === 0) return [];
  const roleRows = await ex
    .select({ userId: userRoles.userId, role: userRoles.role })
    .from(userRoles)
    .where(
      inArray(
        userRoles.userId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((r) => ({
    ...r,
    passwordSet: Boolean(r.passwordSet),
    roles: roleRows
      .filter((x) => x.userId === r.id)
      .map((x) => x.role)
      .sort(),
  }));
}
