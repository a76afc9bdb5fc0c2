import { cache } from "react";
import { getDb } from "@/db/client";
import { getCachedDashboard } from "./cached-dashboard";

/** One dashboard read per request, shared by the layout (header balance) and the pages. */
export const portalSummary = cache((memberId: number) => getCachedDashboard(getDb(), memberId, new Date()));
