/**
 * After-commit notifications of the ledger. Services call `notifyMembersChanged` once their
 * transaction has committed; listeners (cache invalidation, live updates) subscribe here, so the
 * domain core knows nothing of them. A failing listener never fails the write that already committed.
 */
type MembersChangedListener = (memberIds: readonly number[]) => void | Promise<void>;

const globalForListeners = globalThis as unknown as { __loyaltyMemberListeners?: Set<MembersChangedListener> };
const listeners = (globalForListeners.__loyaltyMemberListeners ??= new Set());

export function onMembersChanged(listener: MembersChangedListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function notifyMembersChanged(memberIds: readonly number[]): Promise<void> {
  if (memberIds.length === 0) return;
  await Promise.all(
    [...listeners].map(async (listener) => {
      try {
        await listener(memberIds);
      } catch {
        // The write is committed; a stale cache entry expires by its TTL.
      }
    }),
  );
}
