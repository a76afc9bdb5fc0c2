import { Alert } from "./alert";

/** Said when a page dropped query parameters it could not use (lib/loyalty/input/input-bounds pageParams). */
export function IgnoredParams({ names }: { names: readonly string[] }) {
  if (names.length === 0) return null;
  return (
    <div className="mb-4" data-testid="ignored-params">
      <Alert tone="info">Ignored {names.join(", ")}: not a value this page can use.</Alert>
    </div>
  );
}
