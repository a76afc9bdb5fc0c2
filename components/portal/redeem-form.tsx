"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect, useState } from "react";
import { redeemAction } from "@/app/(portal)/redeem/redeem-action";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import { formatPoints } from "@/lib/portal/format";
import type { RedeemState } from "@/lib/portal/redeem-state";
import type { CatalogReward } from "@/lib/portal/rewards-queries";
import { BALANCE_KEY } from "./live-balance";
import { RewardPicker } from "./reward-picker";

type Mode = "points" | "reward";

/**
 * Choose → review (balance after) → confirm. Each review starts a new attempt with a fresh
 * idempotency key; the confirm button disables itself, and a resubmission of the same attempt is
 * answered by the server with the first result.
 */
export function RedeemForm({ available, rewards, locale }: { available: number; rewards: CatalogReward[]; locale: string }) {
  const [state, action] = useActionState(redeemAction, { status: "idle" } as RedeemState);
  const [mode, setMode] = useState<Mode>("points");
  const [points, setPoints] = useState("");
  const [rewardId, setRewardId] = useState<number | null>(null);
  const [attemptKey, setAttemptKey] = useState<string | null>(null);
  const queryClient = useQueryClient();

  const balance = state.status === "success" ? state.availablePoints : available;
  // A new answer from the server ends the attempt: the next redemption gets a new key.
  const [answered, setAnswered] = useState(state);
  if (state !== answered) {
    setAnswered(state);
    setAttemptKey(null);
    if (state.status === "success") setPoints("");
  }
  useEffect(() => {
    if (state.status === "success") queryClient.setQueryData(BALANCE_KEY, state.availablePoints);
  }, [state, queryClient]);

  const reward = rewards.find((r) => r.id === rewardId) ?? null;
  const cost = mode === "reward" ? (reward?.pointsCost ?? 0) : /^\d{1,10}$/.test(points) ? Number(points) : 0;
  const after = balance - cost;
  const canReview = cost > 0;

  return (
    <div className="grid gap-5 md:grid-cols-[1fr_18rem]">
      <Card>
        {state.status === "success" ? (
          <div className="mb-4">
            <Alert tone="success">
              {state.duplicate ? "This redemption was already done: " : "Done! "}
              {formatPoints(state.points, locale)} points redeemed{state.rewardName ? ` for ${state.rewardName}` : ""}. Your new balance is{" "}
              {formatPoints(state.availablePoints, locale)} points.
              {state.couponCode ? (
                <>
                  {" "}
                  Your code:{" "}
                  <code className="rounded bg-white px-1 font-mono" data-testid="coupon-code">
                    {state.couponCode}
                  </code>
                </>
              ) : null}
            </Alert>
          </div>
        ) : null}
        {state.status === "error" && state.formError ? (
          <div className="mb-4">
            <Alert tone="error">{state.formError}</Alert>
          </div>
        ) : null}

        {attemptKey === null ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (canReview) setAttemptKey(crypto.randomUUID());
            }}
            className="space-y-4"
          >
            <fieldset>
              <legend className="text-sm font-medium text-slate-800">What would you like?</legend>
              <div className="mt-2 grid grid-cols-2 gap-2">
                {(["points", "reward"] as const).map((m) => (
                  <label
                    key={m}
                    className={`flex min-h-11 cursor-pointer items-center justify-center rounded-lg border px-3 text-sm font-semibold has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600 ${
                      mode === m ? "border-indigo-600 bg-indigo-50 text-indigo-800" : "border-slate-300 text-slate-700"
                    }`}
                  >
                    <input type="radio" name="mode-choice" value={m} checked={mode === m} onChange={() => setMode(m)} className="sr-only" />
                    {m === "points" ? "Use points" : "Pick a reward"}
                  </label>
                ))}
              </div>
            </fieldset>

            {mode === "points" ? (
              <Field
                label="Points to redeem"
                name="points"
                inputMode="numeric"
                pattern="[0-9]*"
                autoComplete="off"
                value={points}
                onChange={(e) => setPoints(e.target.value.replace(/[^0-9]/g, "").slice(0, 10))}
                error={state.status === "error" ? state.fieldErrors?.points : undefined}
              />
            ) : (
              <RewardPicker rewards={rewards} selected={rewardId} onSelect={setRewardId} locale={locale} />
            )}

            <button type="submit" disabled={!canReview} className={buttonClass("primary")}>
              Review
            </button>
          </form>
        ) : (
          <form action={action} className="space-y-4">
            <h2 className="text-lg font-semibold text-slate-900">Confirm your redemption</h2>
            <input type="hidden" name="mode" value={mode} />
            <input type="hidden" name="idempotencyKey" value={attemptKey} />
            {mode === "points" ? <input type="hidden" name="points" value={cost} /> : null}
            {mode === "reward" && reward ? <input type="hidden" name="rewardId" value={reward.id} /> : null}
            <dl className="divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm">
              {reward && mode === "reward" ? <Row label="Reward" value={reward.name} /> : null}
              <Row label="Points to redeem" value={formatPoints(cost, locale)} />
              <Row label="Balance now" value={formatPoints(balance, locale)} />
              <Row label="Balance after" value={formatPoints(after, locale)} strong warn={after < 0} />
            </dl>
            {after < 0 ? <Alert tone="error">You do not have enough points for this redemption.</Alert> : null}
            <div className="flex flex-wrap gap-2">
              <SubmitButton pendingLabel="Redeeming…">Confirm redemption</SubmitButton>
              <button type="button" onClick={() => setAttemptKey(null)} className={buttonClass("secondary")}>
                Back
              </button>
            </div>
          </form>
        )}
      </Card>
      <Card title="Your balance">
        <p className="text-3xl font-bold text-slate-900" data-testid="redeem-balance">
          {formatPoints(balance, locale)}
        </p>
        <p className="text-sm text-slate-600">points available</p>
        {attemptKey === null && cost > 0 ? (
          <p className="mt-3 text-sm text-slate-700" aria-live="polite">
            After this: <strong>{formatPoints(after, locale)}</strong> points
          </p>
        ) : null}
      </Card>
    </div>
  );
}

function Row({ label, value, strong, warn }: { label: string; value: string; strong?: boolean; warn?: boolean }) {
  return (
    <div className="flex justify-between px-3 py-2">
      <dt className="text-slate-600">{label}</dt>
      <dd className={`${strong ? "font-bold" : "font-medium"} ${warn ? "text-red-700" : "text-slate-900"}`}>{value}</dd>
    </div>
  );
}
