import { z } from "zod";
import { API_SCOPES, MAX_RATE_LIMIT_PER_SECOND, type ApiScope, type NewApiKey } from "./api-keys";
import { parseInput } from "../input/parse-input";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The longest lifetime a key can be given (`--expires-in`): ten years. */
export const MAX_KEY_LIFETIME_MS = 3_650 * UNIT_MS.d;

/** "90d", "12h", "30m", "2w" → milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}

const scopeList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))])
  .superRefine((scopes, ctx) => {
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `unknown scope(s) ${unknown.join(", ")}; known: ${API_SCOPES.join(", ")}` });
    else if (scopes.length === 0) ctx.addIssue({ code: "custom", message: `name at least one scope among ${API_SCOPES.join(", ")}` });
  });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === "" || v === undefined ? undefined : v));

/**
 * What an operator types (the CLI's flags, the admin page's fields), parsed once into a NewApiKey:
 * scopes as a list or comma-separated text, a rate limit in requests per second (empty: the
 * program default), an expiry as a duration from now ("90d"; empty or "never": no expiry).
 */
export const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
  scopes: scopeList,
  rateLimit: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,6}$/, "must be a whole number of requests per second")
      .transform(Number)
      .pipe(z.number().int().min(1, "must be at least 1").max(MAX_RATE_LIMIT_PER_SECOND, `must be at most ${MAX_RATE_LIMIT_PER_SECOND}`))
      .optional(),
  ),
  expiresIn: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => v === "never" || (parseDuration(v) !== null && parseDuration(v)! <= MAX_KEY_LIFETIME_MS),
        "must be a duration like 90d, 12h or 2w (at most 3650d), or never",
      )
      .optional(),
  ),
});

export type ApiKeyInput = z.input<typeof apiKeyInputSchema>;

export function parseApiKeyInput(input: unknown, now: Date): NewApiKey {
  const fields = parseInput(apiKeyInputSchema, input);
  const lifetime = fields.expiresIn && fields.expiresIn !== "never" ? parseDuration(fields.expiresIn) : null;
  return {
    name: fields.name,
    scopes: fields.scopes as ApiScope[],
    rateLimitPerSecond: fields.rateLimit ?? null,
    expiresAt: lifetime === null ? null : new Date(now.getTime() + lifetime),
  };
}
