import type { Executor } from "@/db/client";
import type { Role } from "@/db/schema";
import { forgetApiKey } from "@/lib/http/api-key-cache";
import { parseApiKeyInput, parseDuration } from "@/lib/loyalty/access/api-key-input";
import { revokeApiKey, rotateApiKey } from "@/lib/loyalty/access/api-key-lifecycle";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { runStaffForm } from "@/lib/forms/staff-form";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import type { ApiKeyFormState } from "./api-key-form-state";

type StaffUser = { id: string; roles: Role[] } | null;

/** The form's fields; the scope checkboxes share one name, so they are read with getAll. */
export function apiKeyFormValues(form: FormData): Record<string, string> {
  const text = (name: string) => (typeof form.get(name) === "string" ? String(form.get(name)) : "");
  return {
    name: text("name"),
    scopes: form
      .getAll("scopes")
      .filter((v): v is string => typeof v === "string")
      .join(","),
    rateLimit: text("rateLimit"),
    expiresIn: text("expiresIn"),
    id: text("id"),
    grace: text("grace"),
  };
}

async function withSecret(
  user: StaffUser,
  values: Record<string, string>,
  run: (actor: Actor) => Promise<{ message: string; secret: string }>,
): Promise<ApiKeyFormState> {
  let secret: string | undefined;
  const state = await runStaffForm(user, values, async (actor) => {
    const done = await run(actor);
    secret = done.secret;
    return done.message;
  });
  return state.status === "success" && secret ? { status: "created", message: state.message, secret, at: state.at } : state;
}

/** The admin page's "New key": the service checks the admin role; the secret comes back once. */
export function createApiKeyForUser(db: Executor, user: StaffUser, values: Record<string, string>, now: Date): Promise<ApiKeyFormState> {
  return withSecret(user, values, async (actor) => {
    const input = parseApiKeyInput({ name: values.name, scopes: values.scopes, rateLimit: values.rateLimit, expiresIn: values.expiresIn }, now);
    const { key, apiKey } = await createApiKey(db, input, { actor, now });
    return { message: `Created “${apiKey.name}”. Copy the key now: it is shown only this once.`, secret: key };
  });
}

/** Rotate: a new secret, shown once; the old key stops now (or after the chosen grace). */
export function rotateApiKeyForUser(db: Executor, user: StaffUser, values: Record<string, string>, now: Date): Promise<ApiKeyFormState> {
  return withSecret(user, values, async (actor) => {
    const graceMs = values.grace ? parseDuration(values.grace) : 0;
    if (graceMs === null) throw new LoyaltyError("validation_failed", "grace: must be a duration like 1h", { field: "grace" });
    const { key, apiKey, previous } = await rotateApiKey(db, idOf(values.id), { actor, now, graceMs });
    if (graceMs === 0) forgetApiKey(previous.keyHash);
    return { message: `Rotated “${apiKey.name}”. Copy the new key now: it is shown only this once.`, secret: key };
  });
}

/** Revoke: refused from now on here at once, by other app instances within the key cache's TTL. */
export async function revokeApiKeyForUser(db: Executor, user: StaffUser, values: Record<string, string>, now: Date): Promise<ApiKeyFormState> {
  return runStaffForm(user, values, async (actor) => {
    const revoked = await revokeApiKey(db, idOf(values.id), { actor, now });
    forgetApiKey(revoked.keyHash);
    return `Revoked “${revoked.name}”.`;
  });
}

/** Rows are named by id on the page; anything else in the field names no key. */
function idOf(value: string | undefined): number {
  if (!value || !/^\d{1,15}$/.test(value)) throw new LoyaltyError("not_found", "No such API key.", { field: "id" });
  return Number(value);
}
