import type { Role } from "@/db/schema";
import { log } from "@/lib/log";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { hostileFormField } from "@/lib/loyalty/input/input-bounds";
import type { Actor } from "@/lib/loyalty/access/staff-permissions";
import type { StaffFormState } from "./staff-form-state";
import { fieldErrorsFromError } from "@/lib/loyalty/input/parse-input";

export { IDLE, type StaffFormState } from "./staff-form-state";

/** The form's fields as plain strings (Next's $ACTION_ bookkeeping left out), to refill it after an error. */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) if (!key.startsWith("$ACTION") && typeof value === "string") values[key] = value;
  return values;
}

/**
 * Runs a staff service for a server action: no session → a sign-in message; a LoyaltyError (a
 * refusal, bad input, a conflict) → its message and field errors; anything else is logged and
 * answered with a generic message. The service itself checks the role.
 */
export async function runStaffForm(
  user: { id: string; roles: Role[] } | null,
  values: Record<string, string>,
  run: (actor: Actor) => Promise<string>,
  options: { keepValues?: boolean } = {},
): Promise<StaffFormState> {
  if (!user) return { status: "error", formError: "Your session has ended. Please sign in again.", fieldErrors: {}, values };
  // One check for every staff form: no field of ours takes control characters or 10,000 characters,
  // and a NUL byte would otherwise reach PostgreSQL and come back as "Something went wrong".
  const hostile = hostileFormField(values);
  if (hostile) {
    return { status: "error", formError: "Please correct the highlighted fields.", fieldErrors: { [hostile.field]: [hostile.message] }, values: {} };
  }
  try {
    const message = await run({ kind: "user", id: user.id, roles: user.roles });
    return { status: "success", message, at: Date.now(), ...(options.keepValues ? { values } : {}) };
  } catch (error) {
    if (isLoyaltyError(error)) {
      // Field-level only for bad input; a refusal (a balance that would go negative…) is the form's message.
      const fieldErrors = error.code === "validation_failed" || error.details?.fieldErrors ? fieldErrorsFromError(error) : {};
      const formError =
        // A role refusal stays generic; a four-eyes refusal (own member, own request) says why.
        error.code === "forbidden" && !error.details?.refusal
          ? "You are not allowed to do this."
          : error.code === "validation_failed" && Object.keys(fieldErrors).length > 0
            ? "Please correct the highlighted fields."
            : error.message;
      return { status: "error", formError, fieldErrors, values };
    }
    log().error({ err: error }, "staff action failed");
    return { status: "error", formError: "Something went wrong. Please try again.", fieldErrors: {}, values };
  }
}
