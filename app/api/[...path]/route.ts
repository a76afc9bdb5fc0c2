import { notFoundHandler } from "@/lib/http/methods";

// Any path under /api that no route serves answers the typed JSON 404, never the HTML not-found page.
export const dynamic = "force-dynamic";

export const GET = notFoundHandler;
export const POST = notFoundHandler;
export const PUT = notFoundHandler;
export const PATCH = notFoundHandler;
export const DELETE = notFoundHandler;
export const OPTIONS = notFoundHandler;
