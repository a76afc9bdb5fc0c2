import { getDb } from "@/db/client";
import { getCurrentUser } from "@/lib/auth/session";
import { csvStream } from "@/lib/loyalty/reports/csv-export";
import { auditExport } from "@/lib/loyalty/audit/audit-export";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { campaignReport, liabilityAt, membersPerTier, pointFlows } from "@/lib/loyalty/reports/program-reports";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import { statementLines, statementMember } from "@/lib/loyalty/reports/member-statements";
import { pageParams } from "@/lib/loyalty/input/input-bounds";
import { externalIdSchema } from "@/lib/loyalty/accrual/event-input";
import { liabilityInstant, reportRange, unusableRangeParams } from "../report-range";
import { json } from "@/lib/http/responses";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

function csv(name: string, body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}.csv"`,
      "cache-control": "no-store",
    },
  });
}

/** The query string, bounded; a value no export can use answers 400 naming it. */
function exportParams(search: URLSearchParams) {
  const { values, ignored } = pageParams(Object.fromEntries(search), ["table", "granularity", "from", "to", "at", "member"] as const);
  const bad = [...ignored, ...unusableRangeParams(values)];
  if (values.member !== undefined && !externalIdSchema.safeParse(values.member).success) bad.push("member");
  return { values, bad: bad[0] };
}

async function exportTable(actor: Actor, search: URLSearchParams): Promise<Response> {
  const db = getDb();
  const { values: params, bad } = exportParams(search);
  if (bad) return json({ error: "validation_failed", message: `${bad}: not a usable value`, field: bad }, 400);
  const table = params.table;
  const today = new Date().toISOString().slice(0, 10);
  switch (table) {
    case "flows": {
      const range = reportRange(params);
      const rows = await pointFlows(db, actor, { granularity: range.granularity, from: range.from, to: range.to });
      return csv(
        `points-per-${range.granularity}-${range.fromText}-${range.toText}`,
        csvStream(
          [
            { key: "period", header: "period" },
            { key: "earned", header: "earned" },
            { key: "redeemed", header: "redeemed" },
            { key: "expired", header: "expired" },
            { key: "adjusted", header: "adjusted" },
            { key: "reversed", header: "reversed" },
            { key: "net", header: "net" },
          ],
          rows,
        ),
      );
    }
    case "liability": {
      const at = liabilityInstant(params.at);
      const row = await liabilityAt(db, actor, at);
      return csv(
        `liability-${row.at.slice(0, 10)}`,
        csvStream(
          [
            { key: "at", header: "at" },
            { key: "points", header: "outstanding_points" },
          ],
          [row],
        ),
      );
    }
    case "tiers": {
      const counts = await membersPerTier(db, actor);
      const rows = counts.tiers.map((r) => ({ ...r, asOf: counts.asOf ?? new Date().toISOString() }));
      return csv(
        `members-per-tier-${today}`,
        csvStream(
          [
            { key: "tier", header: "tier" },
            { key: "members", header: "members" },
            { key: "asOf", header: "as_of" },
          ],
          rows,
        ),
      );
    }
    case "campaigns":
      return csv(
        `campaign-results-${today}`,
        csvStream(
          [
            { key: "id", header: "id" },
            { key: "name", header: "name" },
            { key: "multiplier", header: "multiplier" },
            { key: "startsAt", header: "starts_at" },
            { key: "endsAt", header: "ends_at" },
            { key: "pointsAwarded", header: "points_awarded" },
            { key: "membersReached", header: "members_reached" },
          ],
          await campaignReport(db, actor, 500),
        ),
      );
    case "statement": {
      const member = await statementMember(db, actor, params.member ?? "");
      return csv(
        `statement-${member.externalId.replace(/[^\w.-]/g, "_")}-${today}`,
        csvStream(
          [
            { key: "id", header: "transaction_id" },
            { key: "bookedAt", header: "booked_at" },
            { key: "occurredAt", header: "occurred_at" },
            { key: "type", header: "type" },
            { key: "reference", header: "reference" },
            { key: "description", header: "description" },
            { key: "multiplier", header: "multiplier" },
            { key: "points", header: "points" },
            { key: "balance", header: "balance" },
            { key: "expiresAt", header: "expires_at" },
          ],
          statementLines(db, member.id),
        ),
      );
    }
    default:
      return json({ error: "not_found", message: "Unknown table" }, 404);
  }
}

/** CSV exports of the reports (admins) and of a member's statement (support and admins). */
export async function GET(request: Request): Promise<Response> {
  const user = await getCurrentUser();
  if (!user) return json({ error: "unauthorized", message: "Sign in first" }, 401);
  try {
    const actor: Actor = { kind: "user", id: user.id, roles: user.roles };
    const search = new URL(request.url).searchParams;
    const response = await exportTable(actor, search);
    // Only an export that was authorized and is being sent; the table's own check ran above.
    if (response.ok) await auditExport(getDb(), actor, String(search.get("table")), exportParams(search).values);
    return response;
  } catch (error) {
    if (isLoyaltyError(error)) return json({ error: error.code, message: error.message }, error.status);
    throw error;
  }
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
