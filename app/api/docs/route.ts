import { buildOpenApiDocument } from "@/lib/openapi/document";
import { renderReferenceHtml } from "@/lib/openapi/reference-html";
import { otherMethods } from "@/lib/http/methods";

let page: string | undefined;

export function GET(): Response {
  page ??= renderReferenceHtml(buildOpenApiDocument());
  return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
