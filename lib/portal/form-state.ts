/** What every server action returns; rendered with useActionState. */
export type FormError<Field extends string = string> = {
  status: "error";
  formError?: string;
  fieldErrors?: Partial<Record<Field, string>>;
  values?: Partial<Record<Field, string>>;
};

export type FormState<Field extends string = string, Success extends object = object> =
  { status: "idle" } | FormError<Field> | ({ status: "success" } & Success);

export const IDLE = { status: "idle" } as const;

/** First message per field of a zod error, for inline display. */
export function fieldErrorsOf<Field extends string>(issues: readonly { path: PropertyKey[]; message: string }[]) {
  const out: Partial<Record<Field, string>> = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? "") as Field;
    if (key && !out[key]) out[key] = issue.message;
  }
  return out;
}
