"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export function StaffNav({ links }: { links: readonly { href: string; label: string }[] }) {
  const path = usePathname();
  return (
    <nav aria-label="Staff console" className="-mx-4 overflow-x-auto px-4">
      <ul className="flex gap-1">
        {links.map((link) => {
          const active = link.href === "/staff" ? path === "/staff" : path.startsWith(link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={active ? "page" : undefined}
                className={
                  "inline-flex min-h-11 items-center border-b-2 px-3 text-sm font-medium whitespace-nowrap " +
                  "focus-visible:outline-2 focus-visible:outline-indigo-400 " +
                  (active ? "border-indigo-400 text-white" : "border-transparent text-slate-300 hover:text-white")
                }
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
