"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Dashboard" },
  { href: "/history", label: "History" },
  { href: "/redeem", label: "Redeem" },
  { href: "/notifications", label: "Inbox" },
] as const;

export function PortalNav({ unread }: { unread: number }) {
  const path = usePathname();
  return (
    <nav aria-label="Main" className="-mx-4 overflow-x-auto px-4">
      <ul className="flex gap-1">
        {LINKS.map((link) => {
          const active = link.href === "/" ? path === "/" : path.startsWith(link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={active ? "page" : undefined}
                className={
                  "inline-flex min-h-11 items-center gap-2 rounded-lg px-3 text-sm font-medium whitespace-nowrap " +
                  "focus-visible:outline-2 focus-visible:outline-indigo-600 " +
                  (active ? "bg-indigo-50 text-indigo-800" : "text-slate-700 hover:bg-slate-100")
                }
              >
                {link.label}
                {link.href === "/notifications" && unread > 0 ? (
                  <span className="rounded-full bg-indigo-700 px-2 py-0.5 text-xs font-semibold text-white">
                    {unread > 99 ? "99+" : unread}
                    <span className="sr-only"> unread</span>
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
