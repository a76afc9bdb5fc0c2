/**
 * External ids of erased members (docs/privacy.md): an erased member keeps the tombstone
 * `erased:<member id>`, so the prefix is reserved: no path that creates members (the API,
 * ensureMember, the member and opening-balance imports) may create one with it, or a later erasure's
 * tombstone could already be taken, and a tombstone could be booked to as if it were a member.
 * Case-insensitive, as external ids are compared by people. Pure.
 */
export const ERASED_ID_PREFIX = "erased:";

export const RESERVED_EXTERNAL_ID_MESSAGE = "must not start with erased: (reserved for erased members)";

/** The external id an erased member keeps: not personal, unique, and reserved. */
export function tombstoneOf(memberId: number): string {
  return `${ERASED_ID_PREFIX}${memberId}`;
}

export function isReservedExternalId(externalId: string): boolean {
  return externalId.toLowerCase().startsWith(ERASED_ID_PREFIX);
}
