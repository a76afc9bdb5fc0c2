import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { json } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await getDb().execute(sql`select 1`);
    return json({ status: "ok", database: "up" });
  } catch {
    return json({ status: "error", database: "down" }, 503);
  }
}
