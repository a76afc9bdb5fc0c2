import { checkReadiness } from "@/lib/metrics/readiness";
import { json } from "@/lib/http/responses";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

/**
 * Readiness: 200 when the database answers and, when REDIS_URL is configured, Redis answers too;
 * 503 otherwise, so a load balancer stops sending traffic until both are back. Liveness stays
 * /api/health (no Redis, one cheap query).
 */
export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  return json(readiness, readiness.status === "ready" ? 200 : 503);
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
