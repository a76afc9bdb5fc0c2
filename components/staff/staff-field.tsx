"use client";

import { CheckboxGroup, Field, SelectField, TextareaField, type FieldProps, type SelectFieldProps, type TextareaFieldProps } from "@/components/ui/field";
import { useStaffFormState } from "./action-form";

/**
 * The ui fields bound to the enclosing ActionForm: each shows its server-side error and keeps what
 * was typed after a submit (the key remounts the control so the kept value replaces the default).
 */
function useBoundField(name: string, defaultValue: string | number | readonly string[] | undefined) {
  const state = useStaffFormState();
  const error = state.status === "error" ? state.fieldErrors[name]?.join(" ") : undefined;
  const previous = state.status === "error" || state.status === "success" ? state.values?.[name] : undefined;
  return { error, defaultValue: previous ?? defaultValue, key: previous ?? "initial" };
}

type Bound<P> = Omit<P, "error" | "density">;

export function StaffField({ name, defaultValue, ...props }: Bound<FieldProps>) {
  const { key, ...bound } = useBoundField(name, defaultValue);
  return <Field key={key} name={name} density="compact" {...bound} {...props} />;
}

export function StaffTextarea({ name, defaultValue, ...props }: Bound<TextareaFieldProps>) {
  const { key, ...bound } = useBoundField(name, defaultValue);
  return <TextareaField key={key} name={name} density="compact" {...bound} {...props} />;
}

export function StaffSelect({ name, defaultValue, ...props }: Bound<SelectFieldProps>) {
  const { key, ...bound } = useBoundField(name, defaultValue);
  return <SelectField key={key} name={name} density="compact" {...bound} {...props} />;
}

/** None checked means "all" in the forms that use it. */
export function StaffCheckboxGroup(props: Omit<React.ComponentProps<typeof CheckboxGroup>, "error" | "density">) {
  const { error } = useBoundField(props.name, undefined);
  return <CheckboxGroup {...props} error={error} density="compact" />;
}
