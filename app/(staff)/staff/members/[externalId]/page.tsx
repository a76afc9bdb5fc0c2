import Link from "next/link";
import { notFound } from "next/navigation";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { ActionForm } from "@/components/staff/action-form";
import { requestApprovalReason, requestKind } from "@/components/staff/approval-reason";
import { dateTime, money, multiplier, points, signedPoints } from "@/components/staff/format";
import { PageHeader, StatCard } from "@/components/staff/page-header";
import { RowAction } from "@/components/staff/row-action";
import { StaffField } from "@/components/staff/staff-field";
import { Badge, Table, Td } from "@/components/staff/table";
import { getDb } from "@/db/client";
import { listMemberAudit } from "@/lib/loyalty/audit/audit-log";
import { memberReferrals } from "@/lib/loyalty/referrals/referral-codes";
import { isLoyaltyError } from "@/lib/loyalty/errors";
import { externalIdSchema } from "@/lib/loyalty/accrual/event-input";
import { rolesAllow } from "@/lib/loyalty/access/staff-permissions";
import { getMemberHistory, getMemberProfile } from "@/lib/loyalty/members/support-console";
import { actorLabels } from "../../audit/resolve-actor";
import { requireStaff } from "../../staff-session";
import { adjustPointsAction, approveAdjustmentAction, rejectAdjustmentAction, reverseTransactionAction } from "../actions";
import { eraseMemberAction } from "../erase-action";

export const metadata = { title: "Member" };
export const dynamic = "force-dynamic";

const REVERSIBLE = new Set(["earn", "redeem", "adjust"]);

function externalIdOf(segment: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return externalIdSchema.safeParse(decoded).success ? decoded : null;
}

export default async function MemberPage({
  params,
  searchParams,
}: {
  params: Promise<{ externalId: string }>;
  searchParams: Promise<{ cursor?: string | string[]; audit?: string | string[]; erased?: string | string[] }>;
}) {
  const { actor, user } = await requireStaff("members:support");
  // A hand-typed path: a malformed escape or an id no member can have is simply not found.
  const externalId = externalIdOf((await params).externalId);
  if (externalId === null) notFound();
  const { cursor, audit, erased } = await searchParams;
  const db = getDb();
  const profile = await getMemberProfile(db, actor, externalId).catch((error: unknown) => {
    if (isLoyaltyError(error) && error.code === "member_not_found") notFound();
    throw error;
  });
  const { member, balance } = profile;
  const auditCursor = typeof audit === "string" && /^\d{1,15}$/.test(audit) ? Number(audit) : null;
  const [history, auditPage, referrals] = await Promise.all([
    getMemberHistory(db, actor, member.id, { cursor: typeof cursor === "string" ? cursor.slice(0, 200) : null }).catch((error: unknown) => {
      if (isLoyaltyError(error) && error.code === "validation_failed") return getMemberHistory(db, actor, member.id);
      throw error;
    }),
    listMemberAudit(db, actor, member.id, { cursor: auditCursor, limit: 20 }),
    memberReferrals(db, actor, member.id),
  ]);
  const names = await actorLabels(db, [...auditPage.items.map((e) => e.actor), ...profile.pendingAdjustments.map((r) => r.requestedBy)]);
  const canApprove = rolesAllow(user.roles, "adjustments:approve");
  const canErase = rolesAllow(user.roles, "members:erase") && !member.erasedAt;
  const base = `/staff/members/${encodeURIComponent(member.externalId)}`;
  const now = new Date();

  return (
    <>
      <PageHeader
        title={member.name ?? member.externalId}
        description={`${member.externalId}${member.email ? ` · ${member.email}` : ""} · member since ${dateTime(member.createdAt)}`}
        actions={
          <div className="flex gap-3 text-sm font-medium">
            <a href={`/staff/reports/export?table=statement&member=${encodeURIComponent(member.externalId)}`} className="text-indigo-700 hover:underline">
              Download statement (CSV)
            </a>
            <a href={`${base}/export`} className="text-indigo-700 hover:underline">
              Download data (JSON)
            </a>
            <Link href="/staff/members" className="text-indigo-700 hover:underline">
              ← Search
            </Link>
          </div>
        }
      />
      {member.erasedAt ? (
        <div className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="erased-banner">
          {erased ? "Erased. " : ""}This member was erased on {dateTime(member.erasedAt)}: no personal data is kept. Its ledger rows stay for the books and its
          points stay a liability until they expire or are written off with an adjustment (docs/privacy.md).
        </div>
      ) : null}
      <div className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard label="Available points" value={points(balance.availablePoints)} />
        <StatCard label="Tier" value={<span className="capitalize">{member.tier}</span>} hint={`Spend (12 months): ${money(balance.tierSpend12m)}`} />
        <StatCard label="Earned (lifetime)" value={points(balance.totalEarned)} />
        <StatCard label="Redeemed (lifetime)" value={points(balance.totalRedeemed)} />
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {profile.pendingAdjustments.length > 0 ? (
            <Card title="Waiting for approval">
              <ul className="divide-y divide-slate-100">
                {profile.pendingAdjustments.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
                    <span>
                      {requestKind(r)} <strong className="tabular-nums">{signedPoints(r.points)}</strong> · {r.reason}
                      {r.referenceType === "adjustment" ? ` · ref ${r.referenceId}` : ""}
                      <span className="block text-xs text-amber-800">{requestApprovalReason(r)}</span>
                      <span className="block text-xs text-slate-600">
                        requested by {names.get(r.requestedBy) ?? r.requestedBy} on {dateTime(r.createdAt)}
                      </span>
                    </span>
                    {canApprove && r.requestedBy !== `user:${user.id}` ? (
                      <span className="flex gap-2">
                        <RowAction
                          action={approveAdjustmentAction}
                          fields={{ requestId: r.id, externalId: member.externalId }}
                          label="Approve"
                          variant="primary"
                        />
                        <RowAction action={rejectAdjustmentAction} fields={{ requestId: r.id, externalId: member.externalId }} label="Reject" variant="ghost" />
                      </span>
                    ) : (
                      <Badge tone="pending">pending</Badge>
                    )}
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}

          <section aria-labelledby="history-heading">
            <h2 id="history-heading" className="mb-2 text-lg font-semibold text-slate-900">
              History
            </h2>
            <Table
              caption="Ledger transactions, newest first"
              head={["#", "Occurred", "Type", "Reference", "Points", "Multiplier", "Expires", ""]}
              empty="No transactions yet."
            >
              {history.items.map((tx) => (
                <tr key={tx.id}>
                  <Td className="text-xs text-slate-600">{tx.id}</Td>
                  <Td className="whitespace-nowrap">
                    {/* The member's history shows when it happened; staff also see when it was booked. */}
                    {dateTime(tx.occurredAt)}
                    {Math.abs(tx.createdAt.getTime() - tx.occurredAt.getTime()) >= 60_000 ? (
                      <span className="block text-xs text-slate-500">booked {dateTime(tx.createdAt)}</span>
                    ) : null}
                  </Td>
                  <Td>
                    <Badge>{tx.type}</Badge>
                  </Td>
                  <Td className="max-w-56 break-all">
                    {tx.referenceType}/{tx.referenceId}
                    {tx.description ? <span className="block text-xs text-slate-600">{tx.description}</span> : null}
                  </Td>
                  <Td numeric className={tx.amount < 0 ? "text-red-700" : "text-emerald-800"}>
                    {signedPoints(tx.amount)}
                  </Td>
                  <Td numeric>{tx.multiplier !== 1 ? multiplier(tx.multiplier) : ""}</Td>
                  <Td className="whitespace-nowrap text-xs">{tx.expiresAt ? dateTime(tx.expiresAt) : ""}</Td>
                  <Td>
                    {REVERSIBLE.has(tx.type) && tx.amount !== 0 ? (
                      <details className="text-sm">
                        <summary className="cursor-pointer font-medium text-indigo-700">Reverse</summary>
                        <ActionForm action={reverseTransactionAction} ariaLabel={`Reverse transaction ${tx.id}`} className="mt-2 w-64 space-y-2">
                          <input type="hidden" name="memberId" value={member.id} />
                          <input type="hidden" name="transactionId" value={tx.id} />
                          <input type="hidden" name="externalId" value={member.externalId} />
                          <StaffField label="Reason" name="reason" required maxLength={1000} />
                          {tx.type === "redeem" ? <p className="text-xs text-slate-600">Reversing a redemption waits for an admin&apos;s approval.</p> : null}
                          <SubmitButton variant="danger" pendingLabel="Reversing…">
                            Reverse #{tx.id}
                          </SubmitButton>
                        </ActionForm>
                      </details>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </Table>
            <div className="mt-2 flex gap-4 text-sm font-medium">
              {cursor ? (
                <Link href={base} className="text-indigo-700 hover:underline">
                  ← Newest
                </Link>
              ) : null}
              {history.nextCursor ? (
                <Link href={`${base}?cursor=${history.nextCursor}`} className="text-indigo-700 hover:underline">
                  Older →
                </Link>
              ) : null}
            </div>
          </section>

          <section aria-labelledby="referrals-heading">
            <h2 id="referrals-heading" className="mb-2 text-lg font-semibold text-slate-900">
              Referrals
            </h2>
            <Table caption="Referrals of this member" head={["When", "Direction", "Member", "How", "Outcome", "Points"]} empty="No referral.">
              {referrals.map((r) => (
                <tr key={r.id}>
                  <Td className="whitespace-nowrap">{dateTime(r.createdAt)}</Td>
                  <Td>{r.direction === "referred" ? "Referred" : "Referred by"}</Td>
                  <Td className="break-all">
                    <Link href={`/staff/members/${encodeURIComponent(r.otherExternalId)}`} className="text-indigo-700 hover:underline">
                      {r.otherExternalId}
                    </Link>
                  </Td>
                  <Td>{r.source === "signup" ? "Sign-up" : "First purchase"}</Td>
                  <Td>
                    <Badge tone={r.status === "rewarded" ? "active" : undefined}>{r.status}</Badge>
                    {r.refusalReason ? ` ${r.refusalReason.replace("_", " ")}` : ""}
                  </Td>
                  <Td numeric>
                    {r.points ? signedPoints(r.points) : "—"}
                    {r.pointsReversed ? ` (${signedPoints(-r.pointsReversed)} reversed)` : ""}
                  </Td>
                </tr>
              ))}
            </Table>
          </section>

          <section aria-labelledby="audit-heading">
            <h2 id="audit-heading" className="mb-2 text-lg font-semibold text-slate-900">
              Staff actions on this member
            </h2>
            <Table caption="Audit entries for this member" head={["When", "Who", "Action", "Reason", "Change"]} empty="No staff action yet.">
              {auditPage.items.map((e) => (
                <tr key={e.id}>
                  <Td className="whitespace-nowrap">{dateTime(e.createdAt)}</Td>
                  <Td className="break-all">{names.get(e.actor) ?? e.actor}</Td>
                  <Td>{e.action}</Td>
                  <Td>{e.reason ?? ""}</Td>
                  <Td className="font-mono text-xs break-all">{e.after ? JSON.stringify(e.after) : ""}</Td>
                </tr>
              ))}
            </Table>
            {auditPage.nextCursor ? (
              <Link href={`${base}?audit=${auditPage.nextCursor}`} className="mt-2 inline-block text-sm font-medium text-indigo-700 hover:underline">
                Older entries →
              </Link>
            ) : null}
          </section>
        </div>

        <div className="space-y-6">
          <Card title="Adjust points">
            <ActionForm action={adjustPointsAction} resetOnSuccess ariaLabel="Adjust points" className="space-y-3">
              <input type="hidden" name="memberId" value={member.id} />
              <input type="hidden" name="externalId" value={member.externalId} />
              <StaffField
                label="Points"
                name="points"
                required
                inputMode="numeric"
                placeholder="e.g. 500 or -200"
                hint="Positive to credit, negative to debit. Beyond the approval threshold for this member in 24 hours (your adjustments and reversals together), or your daily limit, an admin approves."
              />
              <StaffField label="Reason" name="reason" required maxLength={1000} />
              <StaffField
                label="Reference"
                name="referenceId"
                required
                maxLength={200}
                placeholder="e.g. ticket number"
                hint="Posting the same reference twice writes it once."
              />
              <label className="flex items-start gap-2 text-sm text-slate-800">
                <input type="checkbox" name="allowNegativeBalance" className="mt-0.5 h-4 w-4 accent-red-700" />
                <span>I confirm this debit may take the balance below zero.</span>
              </label>
              <SubmitButton pendingLabel="Posting…">Post adjustment</SubmitButton>
            </ActionForm>
          </Card>

          <Card title="Open points (oldest used first)">
            {profile.lots.length === 0 ? (
              <p className="text-sm text-slate-600">No open points.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {profile.lots.map((lot) => (
                  <li key={lot.id} className="flex justify-between py-1.5">
                    <span className={lot.expiresAt <= now ? "text-red-700" : ""}>expires {dateTime(lot.expiresAt)}</span>
                    <span className="tabular-nums">
                      {points(lot.remaining)} / {points(lot.amount)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {profile.lotsTruncated ? <p className="mt-2 text-xs text-slate-600">Showing the first 100 lots.</p> : null}
          </Card>

          {canErase ? (
            <Card title="Erase member">
              <ActionForm action={eraseMemberAction} ariaLabel="Erase member" className="space-y-3">
                <input type="hidden" name="memberId" value={member.id} />
                <p className="text-sm text-slate-600">
                  Removes the name, email and external id, the account&apos;s sign-in and the inbox, and redacts the audit entries about this member. The ledger
                  and the balance stay for the books. Cannot be undone.
                </p>
                <StaffField label="Reason" name="reason" required maxLength={1000} hint="Kept on the audit log: not the member's name, email or external id." />
                <label className="flex items-start gap-2 text-sm text-slate-800">
                  <input type="checkbox" name="confirm" className="mt-0.5 h-4 w-4 accent-red-700" />
                  <span>I confirm this member&apos;s personal data is to be erased.</span>
                </label>
                <SubmitButton variant="danger" pendingLabel="Erasing…">
                  Erase member
                </SubmitButton>
              </ActionForm>
            </Card>
          ) : null}

          <Card title="Tier history">
            {profile.tierHistory.length === 0 ? (
              <p className="text-sm text-slate-600">No tier change yet.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {profile.tierHistory.map((h) => (
                  <li key={h.id}>
                    <span className="capitalize">{h.fromTier}</span> → <span className="capitalize">{h.toTier}</span>{" "}
                    <span className="text-slate-600">
                      on {dateTime(h.changedAt)} ({money(h.tierSpend12m)})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
