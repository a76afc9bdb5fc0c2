import { buildOpenApiDocument } from "@/lib/openapi/document";
import { otherMethods } from "@/lib/http/methods";

// The document depends only on code, so it is built once per process.
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export function GET(): Response {
  document ??= buildOpenApiDocument();
  return Response.json(document, { headers: { "access-control-allow-origin": "*" } });
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
