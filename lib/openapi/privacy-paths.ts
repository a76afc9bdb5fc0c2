import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import { erasureRequestSchema, erasureResultSchema, memberExportSchema } from "@/lib/http/privacy-schemas";
import { errorSchema, memberParamsSchema } from "@/lib/http/schemas";
import { registerApiPath } from "./document";

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });

/** Export and erasure of a member's data (docs/privacy.md). */
export function registerPrivacyPaths(registry: OpenAPIRegistry): void {
  registerApiPath(registry, "members:export", {
    method: "get",
    path: "/api/v1/members/{externalId}/export",
    operationId: "exportMember",
    summary: "Everything held about a member as one JSON document (audited)",
    description:
      "Profile and account, balance, every ledger row and the open lots, holds, coupon codes, notifications, check-ins, tier changes and the audit entries about the member. " +
      "Its own scope, apart from `members:read`: a key that reads balances does not get the whole record of a person.",
    request: { params: memberParamsSchema },
    responses: { 200: json(memberExportSchema, "The member's data"), 404: json(errorSchema, "Unknown member") },
  });
  registerApiPath(registry, "members:erase", {
    method: "post",
    path: "/api/v1/members/{externalId}/erasure",
    operationId: "eraseMember",
    summary: "Erase a member's personal data (idempotent, audited with the key and the reason)",
    description:
      "Removes the member's email and name, replaces its external id by `erased:<memberId>`, strips its account and ends its sessions, deletes its notifications, voids its live holds and redacts the audit entries about it. " +
      "The ledger rows stay under the member id and the balance stays a liability until the points expire or are written off. " +
      "Repeating the request with the old external id (or the tombstone) answers 200 with `alreadyErased: true`. A later event for the old external id finds no member.",
    request: { params: memberParamsSchema, body: { required: true, content: { "application/json": { schema: erasureRequestSchema } } } },
    responses: {
      200: json(erasureResultSchema, "Erased (or already erased)"),
      404: json(errorSchema, "Unknown member"),
      409: json(errorSchema, "conflict: the member's account holds staff roles"),
    },
  });
}
