import { asc, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { programSettings, tiers, type ProgramSettings, type Tier } from "@/db/schema";

/** The programme's earning rules (the single row id = 1, seeded by the migrations). */
export async function getProgramSettings(ex: Executor): Promise<ProgramSettings> {
  const [row] = await ex.select().from(programSettings).where(eq(programSettings.id, 1)).limit(1);
  if (!row) throw new Error("program_settings row 1 is missing: run the migrations");
  return row;
}

/** Tiers, lowest rank first. */
export async function getTiers(ex: Executor): Promise<Tier[]> {
  return ex.select().from(tiers).orderBy(asc(tiers.rank));
}
