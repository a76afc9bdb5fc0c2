import { z } from "zod";
import type { Db } from "@/db/client";
import { fieldErrorsOf, type FormState } from "@/lib/portal/form-state";
import { newPasswordSchema, setPasswordFromLink } from "./password-link";

export type SetPasswordField = "password" | "confirm";
export type SetPasswordState = FormState<SetPasswordField, { email: string | null }>;

const formSchema = z
  .object({ password: newPasswordSchema, confirm: z.string().max(1000) })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ." });

const FAILURES = {
  invalid:
    "This link is not valid any more: it was used already or replaced by a newer one. Ask for a new one with “Forgot your password?” on the sign-in page, or ask an administrator.",
  expired: "This link has expired. Ask for a new one with “Forgot your password?” on the sign-in page, or ask an administrator.",
} as const;

/** The /set-password form: the link's user id and token (hidden fields) and the new password twice. */
export async function setPasswordWithForm(db: Db, input: Record<string, unknown>, now: Date = new Date()): Promise<SetPasswordState> {
  const parsed = formSchema.safeParse({ password: input.password, confirm: input.confirm });
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf<SetPasswordField>(parsed.error.issues) };
  const result = await setPasswordFromLink(db, { userId: input.user, token: input.token, password: parsed.data.password }, now);
  if (!result.ok) return { status: "error", formError: FAILURES[result.reason] };
  return { status: "success", email: result.email };
}
