"use client";

import { formatPoints } from "@/lib/portal/format";
import type { CatalogReward } from "@/lib/portal/rewards-queries";

export function RewardPicker({
  rewards,
  selected,
  onSelect,
  locale,
}: {
  rewards: CatalogReward[];
  selected: number | null;
  onSelect: (id: number) => void;
  locale: string;
}) {
  if (rewards.length === 0) {
    return <p className="text-sm text-slate-600">There are no rewards in the catalog right now. You can still redeem points.</p>;
  }
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">Rewards</legend>
      <ul className="mt-2 grid gap-2 sm:grid-cols-2">
        {rewards.map((r) => {
          const soldOut = r.stock !== null && r.stock <= 0;
          return (
            <li key={r.id}>
              <label
                className={`flex h-full cursor-pointer flex-col rounded-lg border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600 ${
                  selected === r.id ? "border-indigo-600 bg-indigo-50" : "border-slate-300"
                } ${soldOut ? "cursor-not-allowed opacity-60" : ""}`}
              >
                <input
                  type="radio"
                  name="reward-choice"
                  value={r.id}
                  checked={selected === r.id}
                  disabled={soldOut}
                  onChange={() => onSelect(r.id)}
                  className="sr-only"
                />
                <span className="font-semibold text-slate-900">{r.name}</span>
                {r.description ? <span className="mt-1 text-slate-600">{r.description}</span> : null}
                <span className="mt-2 font-semibold text-indigo-800">{formatPoints(r.pointsCost, locale)} pts</span>
                {r.stock !== null ? <span className="text-xs text-slate-600">{soldOut ? "Out of stock" : `${r.stock} left`}</span> : null}
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
