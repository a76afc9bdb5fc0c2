import { useId } from "react";

/** comfortable: the portal's touch-sized controls; compact: the staff console's denser forms. */
type FieldDensity = "comfortable" | "compact";

const DENSITY: Record<FieldDensity, { control: string; hint: string }> = {
  comfortable: { control: "min-h-11 text-base", hint: "text-sm" },
  compact: { control: "min-h-10 text-sm", hint: "text-xs" },
};

function controlClass(density: FieldDensity, error: string | undefined): string {
  return (
    "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-slate-900 shadow-sm " +
    "focus:outline-2 focus:outline-offset-1 focus:outline-indigo-600 " +
    `${DENSITY[density].control} ${error ? "border-red-600" : "border-slate-300"}`
  );
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

type Described = { hint?: string; error?: string; density?: FieldDensity };

/** The hint and the error under a control, with the ids its aria-describedby points at. */
function FieldMessages({ id, hint, error, density = "comfortable" }: Described & { id: string }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className={`mt-1 ${DENSITY[density].hint} text-slate-600`}>
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

type Labelled = Described & { label: string; name: string; className?: string };

/** Label, control and messages: `control` receives the id and the accessibility attributes to spread. */
function LabelledControl({
  label,
  hint,
  error,
  density = "comfortable",
  className = "",
  control,
}: Omit<Labelled, "name"> & {
  control: (a11y: { id: string; "aria-invalid"?: true; "aria-describedby"?: string; className: string }) => React.ReactNode;
}) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {control({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy(id, hint, error),
        className: controlClass(density, error),
      })}
      <FieldMessages id={id} hint={hint} error={error} density={density} />
    </div>
  );
}

/** Splits a field's props into what frames the control and what goes on the control itself. */
function splitFrame<P extends Labelled>({ label, hint, error, density, className, ...control }: P) {
  return [{ label, hint, error, density, className }, control] as const;
}

export type FieldProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, "name"> & Labelled;

/** A labelled input whose error is announced and tied to it with aria-describedby. */
export function Field(props: FieldProps) {
  const [frame, input] = splitFrame(props);
  return <LabelledControl {...frame} control={(a11y) => <input {...a11y} {...input} />} />;
}

export type TextareaFieldProps = Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, "name"> & Labelled;

export function TextareaField(props: TextareaFieldProps) {
  const [frame, { rows = 3, ...textarea }] = splitFrame(props);
  return <LabelledControl {...frame} control={(a11y) => <textarea {...a11y} rows={rows} {...textarea} />} />;
}

export type SelectFieldProps = Omit<React.SelectHTMLAttributes<HTMLSelectElement>, "name"> &
  Labelled & { options: readonly { value: string; label: string }[] };

export function SelectField(props: SelectFieldProps) {
  const [frame, { options, ...select }] = splitFrame(props);
  return (
    <LabelledControl
      {...frame}
      control={(a11y) => (
        <select {...a11y} {...select}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** Checkboxes sharing one name (a subset of the options). */
export function CheckboxGroup({
  legend,
  name,
  options,
  defaultValues = [],
  hint,
  error,
  density,
}: Described & {
  legend: string;
  name: string;
  options: readonly { value: string; label: string }[];
  defaultValues?: readonly string[];
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={describedBy(id, hint, error)}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((o) => (
          <label key={o.value} className="inline-flex min-h-8 items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" name={name} value={o.value} defaultChecked={defaultValues.includes(o.value)} className="h-4 w-4 accent-indigo-700" />
            {o.label}
          </label>
        ))}
      </div>
      <FieldMessages id={id} hint={hint} error={error} density={density} />
    </fieldset>
  );
}
