"use client";

import { useActionState } from "react";
import { checkInAction } from "@/app/(portal)/check-in-action";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type CheckInState } from "@/lib/portal/check-in-state";

export function CheckInCard({ checkedInToday, streak }: { checkedInToday: boolean; streak: number }) {
  const [state, action] = useActionState(checkInAction, IDLE as CheckInState);
  const done = checkedInToday || state.status === "success";
  const shownStreak = state.status === "success" ? state.streak : streak;
  return (
    <Card title="Daily check-in">
      <p className="text-sm text-slate-700">
        Current streak: <strong data-testid="streak">{shownStreak}</strong> {shownStreak === 1 ? "day" : "days"}. Every 7th day in a row earns a bonus.
      </p>
      <div className="mt-3 space-y-3">
        {state.status === "error" && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
        {state.status === "success" ? <Alert tone="success">You earned {state.points} points. See you tomorrow!</Alert> : null}
        <form action={action}>
          <SubmitButton disabled={done} pendingLabel="Checking in…">
            {done ? "Checked in today" : "Check in for today"}
          </SubmitButton>
        </form>
      </div>
    </Card>
  );
}
