import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

const DEV_SECRET_FILE = path.join(".data", "auth-secret");

/**
 * The key that signs and encrypts session cookies. Production must set AUTH_SECRET: a missing one
 * is a configuration error, never silently replaced. In development and tests, when it is unset,
 * a random one is generated once and kept in .data/ (git-ignored), so `npm run dev` works with no
 * setup and sessions survive restarts, while no secret is ever committed or shared between clones.
 */
export function authSecret(): string {
  const e = env();
  if (e.AUTH_SECRET) return e.AUTH_SECRET;
  if (e.NODE_ENV === "production") {
    throw new Error("AUTH_SECRET is required in production (generate one with `openssl rand -base64 32`).");
  }
  try {
    const existing = fs.readFileSync(DEV_SECRET_FILE, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not created yet
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(DEV_SECRET_FILE), { recursive: true });
  try {
    fs.writeFileSync(DEV_SECRET_FILE, secret, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    // Another process wrote it first: use theirs, so both sign the same cookies.
    return fs.readFileSync(DEV_SECRET_FILE, "utf8").trim();
  }
}
