import { Card } from "@/components/ui/card";
import { dateTime } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { RowAction } from "@/components/staff/row-action";
import { AddStaffForm, StaffRolesForm } from "@/components/staff/staff-account-forms";
import { Badge } from "@/components/staff/table";
import { getDb } from "@/db/client";
import { listStaffAccounts } from "@/lib/auth/staff-accounts";
import { requireStaff } from "../staff-session";
import { addStaffAction, newPasswordLinkAction, saveStaffRolesAction } from "./actions";

export const metadata = { title: "Staff accounts" };
export const dynamic = "force-dynamic";

export default async function StaffAccountsPage() {
  const { actor } = await requireStaff("staff:manage");
  const accounts = await listStaffAccounts(getDb(), actor);
  return (
    <>
      <PageHeader
        title="Staff accounts"
        description="Who can use this console, and with which roles. A new account gets a one-time link to choose its password; every change is kept in the audit log."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-label="Staff accounts" className="space-y-3 lg:col-span-2">
          {accounts.map((a) => (
            <div key={a.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
              <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
                <div>
                  <p className="font-medium text-slate-900">{a.email ?? "(no email)"}</p>
                  <p className="text-xs text-slate-600">
                    {a.name ? `${a.name} · ` : ""}since {dateTime(a.createdAt)}
                  </p>
                </div>
                <div className="flex items-center gap-2">
                  <Badge tone={a.passwordSet ? "active" : "archived"}>{a.passwordSet ? "password set" : a.linkPending ? "link pending" : "no password"}</Badge>
                  {a.passwordSet ? null : <RowAction action={newPasswordLinkAction} fields={{ userId: a.id }} label="New link" variant="ghost" />}
                </div>
              </div>
              <StaffRolesForm action={saveStaffRolesAction} userId={a.id} email={a.email ?? a.id} roles={a.roles} />
            </div>
          ))}
          {accounts.length === 0 ? <p className="text-sm text-slate-600">No staff account yet.</p> : null}
        </section>
        <Card title="Add a staff member">
          <AddStaffForm action={addStaffAction} />
        </Card>
      </div>
    </>
  );
}
