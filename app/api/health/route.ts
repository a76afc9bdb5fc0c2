import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { json } from "@/lib/http/responses";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await getDb().execute(sql`select 1`);
    return json({ status: "ok", database: "up" });
  } catch {
    return json({ status: "error", database: "down" }, 503);
  }
}

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
