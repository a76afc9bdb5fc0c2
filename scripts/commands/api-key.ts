import { env } from "@/lib/env";
import { parseApiKeyInput, parseDuration } from "@/lib/loyalty/access/api-key-input";
import { listApiKeys, MAX_ROTATION_GRACE_MS, revokeApiKey, rotateApiKey } from "@/lib/loyalty/access/api-key-lifecycle";
import { API_SCOPES, createApiKey } from "@/lib/loyalty/access/api-keys";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { describeDatabase, ScriptError, withDatabase } from "../support/open-database";

const USAGE = `npm run cli -- api-key create --name NAME --scopes a,b [--rate-limit R] [--expires-in 90d]
       npm run cli -- api-key list
       npm run cli -- api-key revoke NAME|ID
       npm run cli -- api-key rotate NAME|ID [--grace 1h]
  scopes: ${API_SCOPES.join(", ")}; R in requests per second (default API_KEY_RATE_LIMIT)`;

const OPTIONS = {
  name: { type: "string" },
  scopes: { type: "string" },
  "rate-limit": { type: "string" },
  "expires-in": { type: "string" },
  grace: { type: "string" },
} as const;

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "-");

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, USAGE);
  const sub = expectSubcommand(positionals, ["create", "list", "revoke", "rotate"], USAGE);
  switch (sub) {
    case "create":
      return create(values);
    case "list":
      return list();
    case "revoke":
    case "rotate": {
      const ref = positionals[1];
      if (!ref || positionals.length > 2) throw new ScriptError(`Name the key: api-key ${sub} NAME|ID\nUsage: ${USAGE}`);
      return sub === "revoke" ? revoke(ref) : rotate(ref, values.grace);
    }
  }
  return 1;
}

async function create(values: { name?: string; scopes?: string; "rate-limit"?: string; "expires-in"?: string }): Promise<number> {
  // No default: a key gets exactly the scopes named, so a forgotten flag never hands out every scope.
  if (values.scopes === undefined) {
    throw new ScriptError(`--scopes is required (comma-separated, among ${API_SCOPES.join(", ")}).\nUsage: ${USAGE}`);
  }
  const now = new Date();
  const input = parseApiKeyInput({ name: values.name ?? "", scopes: values.scopes, rateLimit: values["rate-limit"], expiresIn: values["expires-in"] }, now);
  const { key, apiKey } = await withDatabase(({ db }) => createApiKey(db, input, { actor: "cli", now }));
  console.log(`Created API key "${apiKey.name}" (id ${apiKey.id}) on the ${describeDatabase()}.`);
  console.log(`Scopes: ${apiKey.scopes.join(", ")}`);
  console.log(`Rate limit: ${apiKey.rateLimitPerSecond ?? `${env().API_KEY_RATE_LIMIT} (the default)`} requests per second`);
  console.log(`Expires: ${apiKey.expiresAt ? iso(apiKey.expiresAt) : "never"}`);
  console.log("Store the key now: only its hash is kept, it cannot be shown again.");
  console.log(key);
  return 0;
}

async function list(): Promise<number> {
  const now = new Date();
  const keys = await withDatabase(({ db }) => listApiKeys(db, "cli", now));
  if (keys.length === 0) {
    console.log(`No API key on the ${describeDatabase()}.`);
    return 0;
  }
  const rows = keys.map((k) => [
    String(k.id),
    k.name,
    `${k.prefix}…`,
    k.status === "retiring" ? `retiring ${iso(k.revokedAt)}` : k.status,
    k.scopes.join(","),
    k.rateLimitPerSecond === null ? `${env().API_KEY_RATE_LIMIT}*` : String(k.rateLimitPerSecond),
    iso(k.expiresAt),
    iso(k.lastUsedAt),
  ]);
  const head = ["id", "name", "prefix", "status", "scopes", "req/s", "expires", "last used"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [head, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  console.log("* the program default (API_KEY_RATE_LIMIT)");
  return 0;
}

async function revoke(ref: string): Promise<number> {
  const revoked = await withDatabase(({ db }) => revokeApiKey(db, ref, { actor: "cli" }));
  console.log(`Revoked API key "${revoked.name}" (id ${revoked.id}). Running app processes refuse it within 10 seconds.`);
  return 0;
}

async function rotate(ref: string, grace: string | undefined): Promise<number> {
  const graceMs = grace === undefined ? 0 : parseDuration(grace);
  if (graceMs === null || graceMs > MAX_ROTATION_GRACE_MS)
    throw new ScriptError(`--grace must be a duration like 30m, 1h or 2d (at most 7d).\nUsage: ${USAGE}`);
  const { key, apiKey, previous } = await withDatabase(({ db }) => rotateApiKey(db, ref, { actor: "cli", graceMs }));
  console.log(`Rotated API key "${apiKey.name}": new id ${apiKey.id}, same scopes (${apiKey.scopes.join(", ")}) and rate limit.`);
  console.log(
    graceMs > 0
      ? `The old key (id ${previous.id}) keeps working until ${iso(previous.revokedAt)}.`
      : `The old key (id ${previous.id}) is revoked; running app processes refuse it within 10 seconds.`,
  );
  console.log("Store the new key now: only its hash is kept, it cannot be shown again.");
  console.log(key);
  return 0;
}
