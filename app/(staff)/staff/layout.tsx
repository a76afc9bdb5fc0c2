import Link from "next/link";
import { signOutAction } from "@/app/(auth)/sign-out-action";
import { StaffNav } from "@/components/staff/staff-nav";
import { navLinksFor } from "./nav-links";
import { requireStaff } from "./staff-session";

export const metadata = { title: { default: "Staff console", template: "%s · Staff console" } };

export default async function StaffLayout({ children }: { children: React.ReactNode }) {
  const { user } = await requireStaff();
  return (
    <div className="min-h-screen bg-slate-50">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-slate-800 bg-slate-900 text-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3">
          <Link href="/staff" className="flex items-center gap-2 font-semibold">
            <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-indigo-500">
              ★
            </span>
            Staff console
          </Link>
          <div className="flex items-center gap-3 text-sm">
            <span className="hidden text-slate-300 sm:inline">
              {user.email} · {user.roles.filter((r) => r !== "member").join(", ")}
            </span>
            <Link href="/account" className="inline-flex min-h-10 items-center rounded-lg px-3 font-medium text-slate-100 hover:bg-slate-800">
              Account
            </Link>
            <form action={signOutAction}>
              <button
                type="submit"
                className="min-h-10 rounded-lg px-3 font-medium text-slate-100 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
              >
                Sign out
              </button>
            </form>
          </div>
        </div>
        <div className="mx-auto max-w-7xl px-4">
          <StaffNav links={navLinksFor(user.roles)} />
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
