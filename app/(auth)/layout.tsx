import Link from "next/link";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-indigo-50 to-slate-50 px-4 py-10">
      <Link href="/" className="mb-6 flex items-center gap-2 text-lg font-bold text-slate-900">
        <span aria-hidden className="grid h-9 w-9 place-items-center rounded-xl bg-indigo-700 text-white">
          ★
        </span>
        Loyalty Rewards
      </Link>
      <main className="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">{children}</main>
    </div>
  );
}
