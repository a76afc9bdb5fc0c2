import { z } from "zod";

/** Every environment variable the app reads, validated once. Nothing else reads process.env. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** PostgreSQL server; when absent the app runs on embedded PGlite under PGLITE_DIR. */
  DATABASE_URL: z.url().optional(),
  /** The owner role that runs the migrations (db migrate, start-up); the app's DATABASE_URL role may only append to the ledger. Unset: DATABASE_URL. */
  MIGRATION_DATABASE_URL: z.url().optional(),
  PGLITE_DIR: z.string().default(".data/pglite"),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Redis cache and event stream; the cache falls back to in-process memory without it. */
  REDIS_URL: z.url().optional(),
  /** Shards of the event stream (by member); producers and workers must agree on it. */
  EVENT_STREAM_SHARDS: z.coerce.number().int().min(1).max(1024).default(1),
  AUTH_SECRET: z.string().min(16).optional(),
  AUTH_URL: z.url().optional(),
  /** Optional OpenID Connect provider for staff/member sign-in. */
  AUTH_OIDC_ISSUER: z.url().optional(),
  AUTH_OIDC_ID: z.string().optional(),
  AUTH_OIDC_SECRET: z.string().optional(),
  /** Bearer secret of the /api/cron/* routes; without it they refuse every call. */
  CRON_SECRET: z.string().min(16).optional(),
  /** Bearer secret of /api/metrics; without it the route refuses every call. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Requests per second an API key may make unless the key sets its own limit (lib/http/api-key-auth.ts). */
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** smtp://user:pass@host:port; reminders are only queued in the inbox without it. */
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default("Loyalty <no-reply@loyalty.local>"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Proxies in front of the app that append the client's address to X-Forwarded-For: how many (TRUSTED_PROXY_HOPS) or which (TRUSTED_PROXIES=addr,…). Unset: the socket's address is the client (lib/auth/client-address.ts). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** "required": staff roles work only for accounts with two-factor on (lib/auth/staff-mfa.ts); the documented production choice. */
  STAFF_MFA: z.enum(["off", "required"]).default("off"),
  /**
   * "1"/"true": webhook endpoints may target private, loopback and link-local addresses, and plain
   * http in production (lib/webhooks/target.ts). For development and tests with a local receiver
   * only; unset (the default), such targets are refused when created and at every delivery.
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .enum(["0", "1", "true", "false", ""])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  /** "off": `npm run dev` on the embedded database does not run the periodic jobs itself (lib/jobs/dev-scheduler.ts). */
  DEV_JOBS: z.enum(["on", "off"]).default("on"),
  /** Days a delivered (or finally failed) webhook delivery and its event are kept before the pruning job removes them. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.ipv4(), z.ipv6()]))),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Tests change the environment between files; they call this after doing so. */
export function resetEnvCache(): void {
  cached = undefined;
}
