import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center px-4 text-center">
      <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase">403</p>
      <h1 className="mt-2 text-2xl font-bold text-slate-900">You are not allowed to see this page</h1>
      <p className="mt-2 text-slate-600">Your account does not have access here. If you think it should, ask an administrator.</p>
      <Link href="/" className="mt-6 font-semibold text-indigo-700 underline-offset-2 hover:underline">
        Back to my rewards
      </Link>
    </main>
  );
}
