import Link from "next/link";
import { Card } from "@/components/ui/card";
import { dateTime, points } from "@/components/staff/format";
import { PageHeader } from "@/components/staff/page-header";
import { RewardForm } from "@/components/staff/reward-form";
import { RowAction } from "@/components/staff/row-action";
import { Badge, Table, Td } from "@/components/staff/table";
import { getDb } from "@/db/client";
import { poolSizes } from "@/db/queries/coupons";
import { LOW_POOL } from "@/lib/loyalty/program/coupon-rewards";
import { listRewards } from "@/lib/loyalty/program/rewards";
import { requireStaff } from "../staff-session";
import { createRewardAction, toggleRewardAction } from "./actions";

export const metadata = { title: "Rewards" };
export const dynamic = "force-dynamic";

export default async function RewardsPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const { actor } = await requireStaff("rewards:write");
  const { cursor } = await searchParams;
  const page = await listRewards(getDb(), actor, { cursor: cursor && /^\d{1,15}$/.test(cursor) ? Number(cursor) : null });
  const pools = await poolSizes(
    getDb(),
    page.items.filter((r) => r.kind === "coupon").map((r) => r.id),
  );
  return (
    <>
      <PageHeader
        title="Reward catalog"
        description="What members can redeem their points for. Stock is taken in the same transaction as the redemption and never goes below zero."
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Table caption="Rewards, newest first" head={["Reward", "Cost", "Stock", "Window", "Status", ""]} empty="No reward yet.">
            {page.items.map((r) => (
              <tr key={r.id}>
                <Td>
                  <div className="flex items-center gap-3">
                    {r.imageUrl ? (
                      // eslint-disable-next-line @next/next/no-img-element -- staff-entered URLs on any host
                      <img src={r.imageUrl} alt="" className="h-10 w-10 rounded object-cover" />
                    ) : null}
                    <Link href={`/staff/rewards/${r.id}`} className="font-medium text-indigo-700 hover:underline">
                      {r.name}
                    </Link>
                  </div>
                </Td>
                <Td numeric>{points(r.pointsCost)}</Td>
                <Td numeric>
                  {r.kind === "coupon" ? (
                    <span className={(pools.get(r.id) ?? 0) < LOW_POOL && !r.codePrefix ? "font-semibold text-red-700" : undefined}>
                      {points(pools.get(r.id) ?? 0)} codes{(pools.get(r.id) ?? 0) < LOW_POOL && !r.codePrefix ? " (low)" : ""}
                    </span>
                  ) : r.stock === null ? (
                    "unlimited"
                  ) : (
                    points(r.stock)
                  )}
                </Td>
                <Td className="text-xs whitespace-nowrap">{r.startsAt || r.endsAt ? `${dateTime(r.startsAt)} – ${dateTime(r.endsAt)}` : "always"}</Td>
                <Td>
                  <Badge tone={r.active ? "active" : "archived"}>{r.active ? "active" : "inactive"}</Badge>
                </Td>
                <Td>
                  <RowAction
                    action={toggleRewardAction}
                    fields={{ id: r.id, active: String(!r.active) }}
                    label={r.active ? "Deactivate" : "Activate"}
                    variant="ghost"
                  />
                </Td>
              </tr>
            ))}
          </Table>
          {page.nextCursor ? (
            <Link href={`/staff/rewards?cursor=${page.nextCursor}`} className="mt-2 inline-block text-sm font-medium text-indigo-700 hover:underline">
              More →
            </Link>
          ) : null}
        </div>
        <Card title="New reward">
          <RewardForm action={createRewardAction} submitLabel="Create reward" />
        </Card>
      </div>
    </>
  );
}
