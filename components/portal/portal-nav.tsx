import { NavTabs, type NavTab } from "@/components/ui/nav-tabs";

const LINKS: readonly NavTab[] = [
  { href: "/", label: "Dashboard" },
  { href: "/history", label: "History" },
  { href: "/redeem", label: "Redeem" },
  { href: "/notifications", label: "Inbox" },
  { href: "/invite", label: "Invite friends" },
];

function UnreadBadge({ unread }: { unread: number }) {
  return (
    <span className="rounded-full bg-indigo-700 px-2 py-0.5 text-xs font-semibold text-white">
      {unread > 99 ? "99+" : unread}
      <span className="sr-only"> unread</span>
    </span>
  );
}

export function PortalNav({ unread }: { unread: number }) {
  const links = LINKS.map((link) => (link.href === "/notifications" && unread > 0 ? { ...link, badge: <UnreadBadge unread={unread} /> } : link));
  return <NavTabs label="Main" links={links} home="/" tone="light" />;
}
