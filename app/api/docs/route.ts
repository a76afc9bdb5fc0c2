import { buildOpenApiDocument } from "@/lib/openapi/document";
import { renderReferenceHtml } from "@/lib/openapi/reference-html";

let page: string | undefined;

export function GET(): Response {
  page ??= renderReferenceHtml(buildOpenApiDocument());
  return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
}
