"use client";

import { useState } from "react";

/** Copies `text` to the clipboard and says so (a live region, for screen readers too). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setState("copied");
          } catch {
            setState("failed");
          }
        }}
        className="min-h-11 rounded-lg bg-indigo-700 px-4 text-sm font-semibold text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        {label}
      </button>
      <span role="status" className="text-sm text-slate-700">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the link and copy it" : ""}
      </span>
    </span>
  );
}
