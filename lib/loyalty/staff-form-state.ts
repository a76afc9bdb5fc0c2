/** The state a staff form's server action returns (imported by client components: keep it free of server code). */
export type StaffFormState =
  | { status: "idle" }
  | { status: "error"; formError: string; fieldErrors: Record<string, string[]>; values: Record<string, string> }
  | { status: "success"; message: string; at: number };

export const IDLE: StaffFormState = { status: "idle" };
