import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { rolesAllow } from "@/lib/loyalty/access/staff-permissions";
import { runTierRecalculation } from "@/lib/loyalty/program/tier-settings";
import { log } from "@/lib/log";
import { json } from "@/lib/http/responses";
import { timeJob } from "@/lib/metrics/registry";
import { TIER_RECALCULATION_POLICY, tooManyAttempts } from "@/lib/rate-limit/policies";
import { rateLimits } from "@/lib/rate-limit/rate-limits";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

/** Cookie-authenticated POST: refuse cross-site requests (server actions get this check from Next.js). */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (origin === null || host === null) return false;
  // A malformed Origin ("null", a bare word) is simply not ours: new URL() would throw (a 500).
  return URL.canParse(origin) && new URL(origin).host === host;
}

/**
 * Runs the nightly tier recalculation now and streams its progress as NDJSON lines
 * ({type:"progress",…} then {type:"done",…} or {type:"error"}), so the page can show it live.
 */
export async function POST(request: Request): Promise<Response> {
  if (!sameOrigin(request)) return json({ error: "forbidden", message: "Cross-site request refused" }, 403);
  const user = await getCurrentUser();
  if (!user) return json({ error: "unauthorized", message: "Sign in first" }, 401);
  if (!rolesAllow(user.roles, "tiers:write")) return json({ error: "forbidden", message: "Not allowed" }, 403);
  // A run reads every member: a few per staff user per quarter hour.
  const limit = await rateLimits().consume(TIER_RECALCULATION_POLICY, user.id);
  if (!limit.allowed) {
    return json({ error: "rate_limited", message: tooManyAttempts(limit.retryAfterSeconds) }, 429, { "retry-after": String(limit.retryAfterSeconds) });
  }

  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      try {
        const result = await timeJob("recalculate-tiers-console", () =>
          runTierRecalculation(
            getDb(),
            { kind: "user", id: user.id, roles: user.roles },
            {
              onProgress: (p) => send({ type: "progress", ...p }),
            },
          ),
        );
        send({ type: "done", ...result });
      } catch (error) {
        log().error({ err: error }, "tier recalculation from the console failed");
        send({ type: "error", message: "The recalculation failed; members already handled keep their new tier. Try again." });
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods("POST");
