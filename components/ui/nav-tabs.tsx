"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export type NavTab = { href: string; label: string; badge?: React.ReactNode };

/** light: on the portal's white header; dark: on the staff console's slate bar. */
const TONES = {
  light: {
    link: "gap-2 rounded-lg focus-visible:outline-indigo-600",
    active: "bg-indigo-50 text-indigo-800",
    idle: "text-slate-700 hover:bg-slate-100",
  },
  dark: {
    link: "border-b-2 focus-visible:outline-indigo-400",
    active: "border-indigo-400 text-white",
    idle: "border-transparent text-slate-300 hover:text-white",
  },
} as const;

/**
 * A horizontal, scrollable row of section links; the current section gets aria-current="page".
 * `home` matches only itself, every other link also matches the pages below it.
 */
export function NavTabs({ label, links, home, tone }: { label: string; links: readonly NavTab[]; home: string; tone: keyof typeof TONES }) {
  const path = usePathname();
  const style = TONES[tone];
  return (
    <nav aria-label={label} className="-mx-4 overflow-x-auto px-4">
      <ul className="flex gap-1">
        {links.map((link) => {
          const active = link.href === home ? path === home : path.startsWith(link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={active ? "page" : undefined}
                className={
                  `inline-flex min-h-11 items-center px-3 text-sm font-medium whitespace-nowrap focus-visible:outline-2 ${style.link} ` +
                  (active ? style.active : style.idle)
                }
              >
                {link.label}
                {link.badge}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
