"use client";

import { useState } from "react";
import { buttonClass } from "@/components/ui/button-class";

type Progress = { membersChecked: number; upgraded: number; downgraded: number; batches?: number; spenders?: number };
type Status = { state: "idle" } | { state: "running"; progress?: Progress } | { state: "done"; result: Progress } | { state: "error"; message: string };

/** Starts the recalculation and shows its progress as the server streams it. */
export function RecalculateButton() {
  const [status, setStatus] = useState<Status>({ state: "idle" });

  async function run() {
    setStatus({ state: "running" });
    try {
      const response = await fetch("/staff/tiers/recalculate", { method: "POST" });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { message?: string } | null;
        setStatus({ state: "error", message: body?.message ?? `Refused (${response.status})` });
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines.filter(Boolean)) {
          const event = JSON.parse(line) as { type: string; message?: string } & Progress;
          if (event.type === "progress") setStatus({ state: "running", progress: event });
          if (event.type === "done") setStatus({ state: "done", result: event });
          if (event.type === "error") setStatus({ state: "error", message: event.message ?? "Failed" });
        }
      }
    } catch {
      setStatus({ state: "error", message: "The connection was lost; the job may still be running on the server." });
    }
  }

  const running = status.state === "running";
  return (
    <div className="space-y-3">
      <button type="button" onClick={run} disabled={running} className={buttonClass("primary")}>
        {running ? "Recalculating…" : "Recalculate tiers now"}
      </button>
      <div aria-live="polite" className="text-sm">
        {status.state === "running" ? (
          <div>
            <div
              className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
              role="progressbar"
              aria-label="Recalculation progress"
              aria-valuetext={`${status.progress?.membersChecked ?? 0} members checked`}
            >
              <div className="h-full w-1/3 animate-pulse rounded-full bg-indigo-600" />
            </div>
            <p className="mt-1 text-slate-700">
              {status.progress
                ? `${status.progress.membersChecked.toLocaleString()} members checked, ${status.progress.upgraded} up, ${status.progress.downgraded} down…`
                : "Starting…"}
            </p>
          </div>
        ) : null}
        {status.state === "done" ? (
          <p role="status" className="font-medium text-emerald-800">
            Done: {status.result.membersChecked.toLocaleString()} members checked, {status.result.upgraded} moved up, {status.result.downgraded} moved down.
          </p>
        ) : null}
        {status.state === "error" ? (
          <p role="alert" className="font-medium text-red-700">
            {status.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}
