"use client";

import { useFormStatus } from "react-dom";
import { buttonClass } from "@/components/ui/button-class";

/** Several submit buttons for one form, told apart by `intent`; all disabled while it submits. */
export function IntentButtons({ buttons }: { buttons: readonly { intent: string; label: string; variant?: "primary" | "secondary" }[] }) {
  const { pending } = useFormStatus();
  return (
    <div className="flex flex-wrap gap-2">
      {buttons.map((b) => (
        <button key={b.intent} type="submit" name="intent" value={b.intent} disabled={pending} className={buttonClass(b.variant ?? "primary")}>
          {b.label}
        </button>
      ))}
    </div>
  );
}
