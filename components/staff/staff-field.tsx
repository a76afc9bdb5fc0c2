"use client";

import { useId } from "react";
import { useStaffFormState } from "./action-form";

const inputClass =
  "mt-1 block min-h-10 w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm " +
  "focus:outline-2 focus:outline-offset-1 focus:outline-indigo-600";

function useFieldState(name: string) {
  const state = useStaffFormState();
  const error = state.status === "error" ? state.fieldErrors[name]?.join(" ") : undefined;
  const previous = state.status === "error" || state.status === "success" ? state.values?.[name] : undefined;
  return { error, previous };
}

function Described({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </>
  );
}

type InputProps = React.InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; hint?: string };

/** A labelled input that shows its server-side error and keeps its value after a failed submit. */
export function StaffField({ label, name, hint, className = "", defaultValue, ...input }: InputProps) {
  const id = useId();
  const { error, previous } = useFieldState(name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        defaultValue={previous ?? defaultValue}
        key={previous ?? "initial"}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`${inputClass} ${error ? "border-red-600" : "border-slate-300"}`}
        {...input}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

export function StaffTextarea({
  label,
  name,
  hint,
  defaultValue,
  className = "",
  rows = 3,
  required,
}: {
  label: string;
  name: string;
  hint?: string;
  defaultValue?: string;
  className?: string;
  rows?: number;
  required?: boolean;
}) {
  const id = useId();
  const { error, previous } = useFieldState(name);
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        required={required}
        defaultValue={previous ?? defaultValue}
        key={previous ?? "initial"}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        className={`${inputClass} ${error ? "border-red-600" : "border-slate-300"}`}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

export function StaffSelect({
  label,
  name,
  options,
  defaultValue,
  className = "",
}: {
  label: string;
  name: string;
  options: readonly { value: string; label: string }[];
  defaultValue?: string;
  className?: string;
}) {
  const id = useId();
  const { error, previous } = useFieldState(name);
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={previous ?? defaultValue}
        key={previous ?? "initial"}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`${inputClass} ${error ? "border-red-600" : "border-slate-300"}`}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} error={error} />
    </div>
  );
}

/** Checkboxes sharing one name (a subset); none checked means "all". */
export function StaffCheckboxGroup({
  legend,
  name,
  options,
  defaultValues = [],
  hint,
}: {
  legend: string;
  name: string;
  options: readonly { value: string; label: string }[];
  defaultValues?: readonly string[];
  hint?: string;
}) {
  const id = useId();
  const { error } = useFieldState(name);
  return (
    <fieldset aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((o) => (
          <label key={o.value} className="inline-flex min-h-8 items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" name={name} value={o.value} defaultChecked={defaultValues.includes(o.value)} className="h-4 w-4 accent-indigo-700" />
            {o.label}
          </label>
        ))}
      </div>
      <Described id={id} hint={hint} error={error} />
    </fieldset>
  );
}
