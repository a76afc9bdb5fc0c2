import { buildOpenApiDocument } from "@/lib/openapi/document";

// The document depends only on code, so it is built once per process.
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export function GET(): Response {
  document ??= buildOpenApiDocument();
  return Response.json(document, { headers: { "access-control-allow-origin": "*" } });
}
