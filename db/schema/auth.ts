import { sql } from "drizzle-orm";
import { bigint, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { AdapterAccountType } from "next-auth/adapters";
import { members } from "./members";

export const role = pgEnum("role", ["member", "marketing", "support", "admin"]);
export const ROLES = role.enumValues;
export type Role = (typeof ROLES)[number];

/** Auth.js users (shape required by @auth/drizzle-adapter), plus our password hash and member link. */
export const users = pgTable(
  "users",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text(),
    email: text().unique(),
    emailVerified: timestamp({ mode: "date", withTimezone: true }),
    image: text(),
    passwordHash: text(),
    memberId: bigint({ mode: "number" })
      .unique()
      .references(() => members.id),
    /**
     * Bumped by a password change, "sign out everywhere" and (by a trigger) a removed role: a
     * session cookie carries the version it was issued at and stops working once they differ.
     */
    sessionVersion: integer().notNull().default(0),
    /**
     * TOTP second factor (lib/auth/two-factor.ts): the secret, encrypted with a key derived from
     * AUTH_SECRET; on only once confirmed with a code (totpEnabledAt); the last accepted time step,
     * so a code is never accepted twice; SHA-256 hashes of the unused recovery codes.
     */
    totpSecret: text(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    totpLastStep: bigint({ mode: "number" }),
    totpRecoveryCodes: text().array(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // One account per email whatever its letter case (sign-in and sign-up compare lower(email)).
  (t) => [uniqueIndex("users_email_lower_uq").using("btree", sql`lower(${t.email})`)],
);

export const accounts = pgTable(
  "accounts",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text().$type<AdapterAccountType>().notNull(),
    provider: text().notNull(),
    providerAccountId: text().notNull(),
    refresh_token: text(),
    access_token: text(),
    expires_at: integer(),
    token_type: text(),
    scope: text(),
    id_token: text(),
    session_state: text(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("sessions", {
  sessionToken: text().primaryKey(),
  userId: text()
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
});

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: timestamp({ mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

/** Roles are read from here on every request, so removing one takes effect at once. */
export const userRoles = pgTable(
  "user_roles",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: role().notNull(),
    grantedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export type User = typeof users.$inferSelect;
