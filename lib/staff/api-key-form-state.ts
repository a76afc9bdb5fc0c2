import type { StaffFormState } from "@/lib/forms/staff-form-state";

/**
 * The state of the API key page's forms (imported by client components: keep it free of server
 * code). `created` carries the new key's secret: it exists only in this one answer, is shown once
 * and is never stored in clear.
 */
export type ApiKeyFormState = StaffFormState | { status: "created"; message: string; secret: string; at: number };
