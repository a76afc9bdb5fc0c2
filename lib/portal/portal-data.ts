import { cache } from "react";
import { getDb } from "@/db/client";
import { getDashboard } from "./dashboard-queries";

/** One dashboard read per request, shared by the layout (header balance) and the pages. */
export const portalSummary = cache((memberId: number) => getDashboard(getDb(), memberId, new Date()));
