"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { formatPoints } from "@/lib/portal/format";

export const BALANCE_KEY = ["portal", "balance"] as const;

/**
 * The balance shown in the header and on the dashboard. Seeded from the server render; a
 * redemption writes the new balance into the query cache, so every copy updates without a reload.
 */
export function LiveBalance({ initial, locale, className }: { initial: number; locale: string; className?: string }) {
  const client = useQueryClient();
  // A fresh server render (after revalidation) is the newest truth: copy it into the cache.
  useEffect(() => {
    client.setQueryData(BALANCE_KEY, initial);
  }, [client, initial]);
  const { data } = useQuery({
    queryKey: BALANCE_KEY,
    queryFn: () => initial,
    initialData: initial,
    staleTime: Infinity,
  });
  return (
    <span className={className} data-testid="balance">
      {formatPoints(data, locale)}
    </span>
  );
}
