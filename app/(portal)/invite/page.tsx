import { headers } from "next/headers";
import { CopyButton } from "@/components/portal/copy-button";
import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { getProgramSettings } from "@/lib/loyalty/program/get-program-settings";
import { invitePageOf } from "@/lib/loyalty/referrals/referral-codes";
import { requirePortalMember } from "@/lib/portal/current-member";

export const metadata = { title: "Invite friends" };
export const dynamic = "force-dynamic";

const STATUS: Record<string, string> = {
  pending: "Joined: rewarded after their first purchase",
  rewarded: "Rewarded",
  refused: "Not eligible",
  reversed: "Reversed (the purchase was refunded)",
};
const REASON: Record<string, string> = {
  self_referral: "your own account",
  already_member: "already a member",
  monthly_limit: "monthly limit reached",
};

async function origin(): Promise<string> {
  const authUrl = env().AUTH_URL;
  if (authUrl) return new URL(authUrl).origin;
  const h = await headers();
  const host = h.get("host") ?? "localhost:3000";
  return `${host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https"}://${host}`;
}

/** Invite friends (docs/ledger.md, Referrals): the member's code and link, and what came of their referrals. */
export default async function InvitePage() {
  const user = await requirePortalMember();
  const db = getDb();
  const [page, settings] = await Promise.all([invitePageOf(db, user.memberId, await origin()), getProgramSettings(db)]);
  const made = page.referrals.filter((r) => r.direction === "referred");
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold text-slate-900">Invite friends</h1>
      <section aria-labelledby="code-heading" className="space-y-3 rounded-2xl border border-slate-200 bg-white p-5">
        <h2 id="code-heading" className="text-lg font-semibold text-slate-900">
          Your referral code
        </h2>
        <p className="text-slate-700">
          When a friend joins with your code and makes a first purchase, you get {settings.referrerRewardPoints} points and they get{" "}
          {settings.refereeRewardPoints}.
        </p>
        <p>
          <code data-testid="referral-code" className="rounded bg-slate-100 px-3 py-2 font-mono text-xl tracking-widest text-slate-900">
            {page.code}
          </code>
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor="referral-link" className="sr-only">
            Your referral link
          </label>
          <input
            id="referral-link"
            readOnly
            value={page.link}
            className="min-h-11 w-full max-w-md rounded-lg border border-slate-300 px-3 font-mono text-sm text-slate-900"
          />
          <CopyButton text={page.link} label="Copy link" />
        </div>
      </section>
      <section aria-labelledby="referrals-heading" className="rounded-2xl border border-slate-200 bg-white p-5">
        <h2 id="referrals-heading" className="text-lg font-semibold text-slate-900">
          Your referrals
        </h2>
        {made.length === 0 ? (
          <p className="mt-2 text-slate-700">No referrals yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100" data-testid="referral-list">
            {made.map((r) => (
              <li key={r.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
                <span className="text-slate-900">A friend who joined on {r.createdAt.toISOString().slice(0, 10)}</span>
                <span className="text-slate-700">
                  {STATUS[r.status] ?? r.status}
                  {r.refusalReason ? `: ${REASON[r.refusalReason] ?? r.refusalReason}` : ""}
                  {r.status === "rewarded" && r.points ? ` (+${r.points} points)` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
