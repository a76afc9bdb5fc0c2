import { Field } from "@/components/ui/field";
import type { FormError } from "@/lib/portal/form-state";

/** What a failed sign-in or sign-up sent back: the email typed (never the password) and the field errors. */
type Failed = FormError<"email" | "password"> | undefined;

export function EmailField({ failed, hint }: { failed: Failed; hint?: string }) {
  return (
    <Field
      label="Email"
      name="email"
      type="email"
      autoComplete="email"
      required
      defaultValue={failed?.values?.email}
      error={failed?.fieldErrors?.email}
      hint={hint}
    />
  );
}

/** Empty after every submit: a password is never echoed back into the page. */
export function PasswordField({ failed, isNew = false, hint }: { failed: Failed; isNew?: boolean; hint?: string }) {
  return (
    <Field
      label="Password"
      name="password"
      type="password"
      autoComplete={isNew ? "new-password" : "current-password"}
      required
      minLength={isNew ? 12 : undefined}
      error={failed?.fieldErrors?.password}
      hint={hint}
    />
  );
}
