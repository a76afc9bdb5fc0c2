import { ApiError } from "./api-error";
import { errorResponse, json } from "./responses";

/** The methods Next.js dispatches to a route handler (HEAD is answered by GET). */
export const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

type Handler = (request: Request) => Promise<Response>;

function allowHeader(allowed: readonly RouteMethod[]): string {
  const list = new Set<string>([...allowed, "OPTIONS"]);
  if (list.has("GET")) list.add("HEAD");
  return [...list].sort().join(", ");
}

/**
 * The handlers a route does not implement, answering 405 `method_not_allowed` with the typed JSON
 * body and an `Allow` header, plus an OPTIONS that names only the real methods. Without them
 * Next.js answers an unexported method with an empty 405, and its automatic OPTIONS would list
 * these stand-ins as allowed. A route spreads what it lacks:
 * `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET", "POST");`
 */
export function otherMethods(...allowed: RouteMethod[]): Record<RouteMethod | "OPTIONS", Handler> {
  const allow = allowHeader(allowed);
  const refuse: Handler = async (request) => {
    const response = errorResponse(new ApiError("method_not_allowed", `${request.method} is not allowed here; use ${allow}`), request);
    response.headers.set("allow", allow);
    return response;
  };
  const handlers = Object.fromEntries(ROUTE_METHODS.map((m) => [m, refuse])) as Record<RouteMethod | "OPTIONS", Handler>;
  handlers.OPTIONS = async () => new Response(null, { status: 204, headers: { allow } });
  return handlers;
}

/** Every method on a path under /api that no route serves: 404 `not_found`, as JSON. */
export const notFoundHandler: Handler = async (request) =>
  json({ error: "not_found", message: `No API route at ${new URL(request.url).pathname.slice(0, 200)}` }, 404);
