/** The state a staff form's server action returns (imported by client components: keep it free of server code). */
export type StaffFormState =
  | { status: "idle" }
  | { status: "error"; formError: string; fieldErrors: Record<string, string[]>; values: Record<string, string> }
  /** `values` is set when the form should keep what was typed (React resets a form after its action). */
  | { status: "success"; message: string; at: number; values?: Record<string, string> };

export const IDLE: StaffFormState = { status: "idle" };
