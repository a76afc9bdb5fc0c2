import { NavTabs, type NavTab } from "@/components/ui/nav-tabs";

export function StaffNav({ links }: { links: readonly NavTab[] }) {
  return <NavTabs label="Staff console" links={links} home="/staff" tone="dark" />;
}
