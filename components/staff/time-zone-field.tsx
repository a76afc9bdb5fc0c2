import { StaffField } from "./staff-field";

const ZONES = Intl.supportedValuesOf("timeZone");

/** An IANA zone with suggestions; the server validates it. */
export function TimeZoneField({ defaultValue = "UTC", name = "timeZone" }: { defaultValue?: string; name?: string }) {
  const listId = `${name}-zones`;
  return (
    <div>
      <StaffField label="Time zone" name={name} list={listId} defaultValue={defaultValue} hint="IANA name, e.g. America/New_York" autoComplete="off" />
      <datalist id={listId}>
        <option value="UTC" />
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </div>
  );
}
